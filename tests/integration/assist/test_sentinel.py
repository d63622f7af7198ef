"""数字哨兵: the venue's device scans people, and uploads what it queued while offline."""

from __future__ import annotations

import base64
import io
from datetime import UTC, timedelta

import pypdfium2 as pdfium
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.scans.models import Checkin


def gate(client: TestClient, db: Session, settings: Settings):  # type: ignore[no-untyped-def]
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager)
    db.commit()
    return sign_in(client, settings, manager.phone), venue


def test_an_online_gate_scan_records_a_sentinel_check_in(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = gate(client, db, settings)
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    db.commit()
    response = client.post(f"/api/v1/sentinel/{venue.venue_id}/scan", headers=headers,
                           data={"method": "id_typed", "id_number": number, "name": "张秀英"})
    assert response.status_code == 201, response.text
    assert response.json()["decision"] == "pass" and response.json()["name"] == "张*英"
    entry = db.scalar(select(Checkin).where(Checkin.id_number == number))
    assert entry is not None and entry.channel == "sentinel"
    assert client.get(f"/sentinel/{venue.venue_id}", headers=headers).status_code == 200


def test_only_the_venues_manager_may_run_its_gate(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    _, venue = gate(client, db, settings)
    citizen, _ = helper
    for path in (f"/api/v1/sentinel/{venue.venue_id}/checkins",):
        response = client.post(path, json={"checkins": []}, headers=citizen)
        assert response.status_code == 403
    other = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    response = client.post(f"/api/v1/sentinel/{venue.venue_id}/checkins", json={"checkins": []},
                           headers=sign_in(client, settings, other.phone))
    assert response.status_code == 403 and response.json()["error"]["code"] == "venue_not_yours"


def test_offline_check_ins_keep_their_original_times_and_upload_idempotently(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    helper_headers, _ = helper
    headers, venue = gate(client, db, settings)
    typed, carded, red = factories.id_number(), factories.id_number(), factories.id_number()
    for n in (typed, carded, red):
        f.healthy(db, n, clock.now() - timedelta(days=1))
    f.health_code(db, red, "red", clock.now() - timedelta(days=1), "密接")
    db.commit()
    pdf = client.post("/api/v1/assist/paper-codes", json={"id_number": carded, "name": "李四"},
                      headers=helper_headers).content
    out = io.BytesIO()
    pdfium.PdfDocument(pdf)[0].render(scale=4).to_pil().save(out, "JPEG", quality=80)
    photo = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
    at = clock.now() - timedelta(hours=3)
    items = [
        {"client_id": "a", "scanned_at": at.isoformat(), "id_number": typed, "name": "张秀英"},
        {"client_id": "b", "scanned_at": (at + timedelta(minutes=1)).astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"), "qr_image": photo},
        {"client_id": "c", "scanned_at": at.isoformat(), "id_number": red, "name": "王五"},
        {"client_id": "d", "scanned_at": (clock.now() + timedelta(hours=1)).isoformat(),
         "id_number": typed, "name": "张秀英"},
        {"client_id": "e", "scanned_at": at.isoformat(), "id_number": typed[:-1] + "0"
         if typed[-1] != "0" else typed[:-1] + "1", "name": "张秀英"},
    ]
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    first = client.post(url, json={"checkins": items}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["stored"], body["duplicates"], body["rejected"]) == (3, 0, 2)
    by_id = {r["client_id"]: r for r in body["results"]}
    assert by_id["c"]["decision"] == "deny" and by_id["c"]["health_color"] == "red"
    assert by_id["d"]["code"] == "scanned_at_future"
    assert by_id["e"]["code"] == "id_number_check"
    entry = db.scalar(select(Checkin).where(Checkin.id_number == typed))
    assert entry is not None and entry.scanned_at == at and entry.channel == "sentinel"
    qr_entry = db.scalar(select(Checkin).where(Checkin.id_number == carded))
    assert qr_entry is not None and qr_entry.scanned_at == at + timedelta(minutes=1)

    again = client.post(url, json={"checkins": items}, headers=headers).json()
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 3, 2)
    assert len(db.scalars(select(Checkin).where(Checkin.venue_pk == venue.id)).all()) == 3
