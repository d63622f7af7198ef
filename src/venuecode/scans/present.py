"""A scan outcome as the API's JSON and the page's result: one builder for both.

The API dumps the dict straight to JSON (no model round trip on the hot path); the page
validates it into `ScanResult`, the API's documented response model, and renders that.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from venuecode.categories import get_category
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.policy.panels import panels_to_dict
from venuecode.proofs.codec import sign_proof
from venuecode.proofs.keys import ProofKeys
from venuecode.scans.schemas import ScanResult
from venuecode.scans.service import ScanOutcome


def scan_json(outcome: ScanOutcome, locale: str, proofs: ProofKeys,
              now: datetime) -> dict[str, Any]:
    venue = outcome.venue
    category = get_category(venue.category)
    name = mask_name(outcome.name) if outcome.name else None
    id_number = mask_id_number(outcome.id_number)
    # Signed once per scan (~45 µs of CPU, bench/scan/proof.py): what a guard may verify.
    proof = sign_proof(proofs, "pass" if outcome.decision.verdict == "pass" else "deny",
                       venue.venue_id, venue.name,
                       outcome.sub_area.name if outcome.sub_area else None,
                       outcome.scanned_at, now, name, id_number)
    return {
        "id": outcome.entry_id,
        "decision": outcome.decision.verdict,
        "reasons": [{"code": r.code, "message": r.message(locale), "severity": r.severity,
                     "panel": r.panel} for r in outcome.decision.reasons],
        "venue": {
            "venue_id": venue.venue_id, "name": venue.name, "category": venue.category,
            "category_name": category.name(locale) if category else venue.category,
            "district": venue.district,
            "sub_area": outcome.sub_area.name if outcome.sub_area else None,
        },
        "scanned_at": outcome.scanned_at.astimezone(UTC).isoformat(),
        "repeat": outcome.repeat,
        "person": {"name": name, "id_number": id_number},
        **panels_to_dict(outcome.decision.panels),
        "proof": proof,
        "proof_expires_in": proofs.seconds,
    }


def scan_result(outcome: ScanOutcome, locale: str, proofs: ProofKeys,
                now: datetime) -> ScanResult:
    return ScanResult.model_validate(scan_json(outcome, locale, proofs, now))
