from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ScanRequest(BaseModel):
    venue_code: str = Field(min_length=1, max_length=300,
                            description="The token, or the full URL the QR code encodes.")


class ExitRequest(BaseModel):
    venue_code: str = Field(min_length=1, max_length=300)


class ScanVenue(BaseModel):
    venue_id: str
    name: str
    category: str
    category_name: str
    district: str
    sub_area: str | None


class ScanResult(BaseModel):
    id: int | None = Field(description="The check-in's id (None for a denied attempt).")
    decision: str
    reasons: list[dict[str, Any]]
    venue: ScanVenue
    scanned_at: str
    repeat: bool = Field(description="True when this scan repeated a recent entry.")
    person: dict[str, str | None]
    health_code: dict[str, Any]
    nucleic_acid: dict[str, Any]
    vaccination: dict[str, Any]
    itinerary: dict[str, Any]
    proof: str = Field(description=(
        "The signed, short-lived proof of this result (防伪核验): a compact JWS (EdDSA, "
        "Ed25519) carrying only the verdict, venue, scan time, expiry and the masked "
        "person. Staff verify it with POST /api/v1/verify, or offline against "
        "/.well-known/venuecode-keys.json."))
    proof_expires_in: int = Field(description="Seconds the proof verifies for.")


class ScanHistoryItem(BaseModel):
    id: int
    decision: str
    venue_id: str
    venue_name: str
    scanned_at: str
    checked_out_at: str | None
    reasons: list[str]
    # The reason codes in the reader's words (web/words.py), in the same order.
    reason_names: list[str] = []
