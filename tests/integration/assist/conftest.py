"""Fixtures for help-scan tests: a signed-in helper with a real name, venue codes, facts."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from venuecode.assist.ocr import TextLine
from venuecode.config import Settings
from venuecode.facts.models import CitizenCardRecord
from venuecode.people.models import Person
from venuecode.venues import service as venues
from venuecode.venues.models import Venue

PROV = {"source": "test", "batch_id": None}


def signed_in_citizen(client: TestClient, settings: Settings, name: str = "王帮") -> tuple[dict[str, str], str]:
    headers = sign_in(client, settings, factories.phone())
    number = factories.id_number()
    response = client.put("/api/v1/me/identity", json={"id_number": number, "name": name}, headers=headers)
    assert response.status_code == 200, response.text
    return headers, number


@pytest.fixture
def helper(client: TestClient, settings: Settings, clock) -> tuple[dict[str, str], str]:  # type: ignore[no-untyped-def]
    return signed_in_citizen(client, settings)


def venue_token(db: Session, settings: Settings, venue: Venue | None = None) -> str:
    venue = venue or factories.venue(db)
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    token = venues.venue_token(signer, venue)
    assert token is not None
    return token


def citizen_card(db: Session, card_number: str, id_number: str, at: datetime) -> None:
    db.add(CitizenCardRecord(card_number=card_number, id_number=id_number, received_at=at, **PROV))
    db.flush()


def registered(db: Session, id_number: str, name: str, at: datetime) -> None:
    db.add(Person(id_number=id_number, name=name, phone=None, received_at=at, **PROV))
    db.flush()


def card_lines(name: str, number: str) -> list[TextLine]:
    """What the OCR engine returns for a clean card front (for StaticRecognizer)."""

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[float, float], ...]:
        return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))

    return [
        TextLine(f"姓名 {name}", 0.98, box(40, 40, 260, 70)),  # type: ignore[arg-type]
        TextLine("性别 女 民族 汉", 0.97, box(40, 90, 300, 115)),  # type: ignore[arg-type]
        TextLine("住址 浙江省杭州市西湖区文三路128号", 0.95, box(40, 180, 520, 205)),  # type: ignore[arg-type]
        TextLine(f"公民身份号码 {number}", 0.99, box(40, 330, 720, 360)),  # type: ignore[arg-type]
    ]


def gate_key(client: TestClient, headers: dict[str, str], venue_id: str,
             label: str = "东门1号") -> dict[str, str]:
    """Register a gate device as the venue's manager; the header its calls carry."""
    response = client.post(f"/api/v1/venues/{venue_id}/gate-devices", json={"label": label},
                           headers=headers)
    assert response.status_code == 201, response.text
    return {"X-Device-Key": response.json()["key"]}
