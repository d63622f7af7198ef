"""Registered gate devices: the venue's manager issues a key (shown once, stored as a hash),
the manager, the venue's district and system admins list and revoke; pages in Chinese."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.assist.conftest import gate_key
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.assist.models import GateDevice
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.models import User
from venuecode.venues.models import Venue

ZH = {"Accept-Language": "zh"}


def managed(client: TestClient, db: Session, settings: Settings
            ) -> tuple[dict[str, str], Venue]:
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager, district="西湖区")
    db.commit()
    return sign_in(client, settings, manager.phone), venue


def scan(client: TestClient, venue: Venue, device: dict[str, str]) -> int:
    return client.post(f"/api/v1/sentinel/{venue.venue_id}/scan", headers=device, data={
        "method": "id_typed", "id_number": factories.id_number(), "name": "张秀英"}).status_code


def test_a_key_is_shown_once_and_only_its_hash_is_kept(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = managed(client, db, settings)
    issued = client.post(f"/api/v1/venues/{venue.venue_id}/gate-devices",
                         json={"label": "  东门 1号 "}, headers=headers)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    key = body["key"]
    assert key.startswith("vcg_") and len(key) > 40 and body["label"] == "东门 1号"
    assert body["prefix"] == key[:12] and body["last_used_at"] is None
    row = db.get(GateDevice, body["id"])
    assert row is not None and row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.label, row.prefix, row.key_hash}
    listing = client.get(f"/api/v1/venues/{venue.venue_id}/gate-devices", headers=headers)
    assert listing.status_code == 200 and key not in listing.text
    assert listing.json()[0]["created_by"] is not None and listing.json()[0]["active"] is True
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.GATE_DEVICE_ISSUED.value)).one()
    assert key not in event.details and event.subject_id == str(body["id"])
    # Its first call stamps last_used_at.
    clock.advance(timedelta(minutes=3))
    assert scan(client, venue, {"X-Device-Key": key}) == 201
    used = client.get(f"/api/v1/venues/{venue.venue_id}/gate-devices", headers=headers).json()[0]
    assert used["last_used_at"] == clock.now().isoformat()


def test_only_the_manager_issues_and_the_venues_district_may_revoke(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = managed(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    base = f"/api/v1/venues/{venue.venue_id}/gate-devices"
    district = factories.user(db, Role.DISTRICT_ADMIN, "西湖区")
    elsewhere = factories.user(db, Role.DISTRICT_ADMIN, "上城区")
    stranger = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    ours = sign_in(client, settings, district.phone, factories.PASSWORD)
    theirs = sign_in(client, settings, elsewhere.phone, factories.PASSWORD)
    other = sign_in(client, settings, stranger.phone)
    issuing = client.post(base, json={"label": "西门"}, headers=ours)
    assert (issuing.status_code, issuing.json()["error"]["code"]) == (403, "gate_device_manager_only")
    for outsider in (theirs, other):
        assert client.get(base, headers=outsider).status_code == 403
        assert client.post(base, json={"label": "西门"}, headers=outsider).status_code == 403
    device_id = client.get(base, headers=ours).json()[0]["id"]
    assert client.post(f"{base}/{device_id}/revoke", headers=other).status_code == 403
    assert client.post(f"{base}/{device_id}/revoke", headers=theirs).status_code == 403
    assert scan(client, venue, device) == 201
    revoked = client.post(f"{base}/{device_id}/revoke", headers=ours)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert scan(client, venue, device) == 401
    # Revoking again changes nothing; a device of another venue is not found here.
    assert client.post(f"{base}/{device_id}/revoke", headers=headers).status_code == 200
    assert client.post(f"{base}/999999/revoke", headers=headers).status_code == 404
    events = db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.GATE_DEVICE_REVOKED.value)).all()
    assert len(events) == 1 and events[0].actor_role == "district_admin"


def test_names_are_checked_and_named_in_the_answer(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = managed(client, db, settings)
    base = f"/api/v1/venues/{venue.venue_id}/gate-devices"
    blank = client.post(base, json={"label": "   "}, headers={**headers, **ZH})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "gate_label_invalid"
    assert "设备名称" in blank.json()["error"]["message"]
    assert client.post(base, json={"label": "x" * 41}, headers=headers).status_code == 422
    assert client.post(base, json={"label": "东门"}, headers=headers).status_code == 201
    taken = client.post(base, json={"label": "东门"}, headers=headers)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "gate_label_taken")
    unapproved = factories.venue(db, approved=False,
                                 manager=db.get(User, venue.manager_user_id))
    db.commit()
    refused = client.post(f"/api/v1/venues/{unapproved.venue_id}/gate-devices",
                          json={"label": "东门"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "venue_not_approved"


def test_the_page_shows_the_key_once_revokes_after_asking_and_says_it_worked(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = managed(client, db, settings)
    page_url = f"/manage/venues/{venue.venue_id}/gate-devices"
    empty = client.get(page_url, headers={**headers, **ZH})
    assert empty.status_code == 200 and "尚未登记闸机设备" in empty.text
    assert "登记闸机设备" in empty.text and "24 小时" in empty.text
    bad = client.post(page_url, data={"label": ""}, headers={**headers, **ZH})
    assert bad.status_code == 422 and "设备名称应为" in bad.text
    issued = client.post(page_url, data={"label": "东门1号"}, headers={**headers, **ZH})
    assert issued.status_code == 200
    key = re.search(r'id="device-key">(vcg_[^<]+)<', issued.text)
    assert key is not None and "闸机设备“东门1号”已登记" in issued.text
    assert scan(client, venue, {"X-Device-Key": key.group(1)}) == 201
    again = client.get(page_url, headers={**headers, **ZH})
    assert key.group(1) not in again.text and key.group(1)[:12] in again.text
    assert "data-confirm=\"确定吊销闸机设备“东门1号”吗" in again.text
    device_id = db.scalars(select(GateDevice.id).where(GateDevice.venue_pk == venue.id)).one()
    revoked = client.post(f"{page_url}/{device_id}/revoke", headers={**headers, **ZH},
                          follow_redirects=False)
    assert revoked.status_code == 303
    after = client.get(revoked.headers["location"], headers={**headers, **ZH})
    assert "闸机设备“东门1号”已吊销" in after.text and "已吊销" in after.text
    assert scan(client, venue, {"X-Device-Key": key.group(1)}) == 401
    # The district admin's page lists and revokes, but has no form to issue.
    admin = factories.user(db, Role.DISTRICT_ADMIN, "西湖区")
    db.commit()
    theirs = client.get(page_url, headers={**sign_in(client, settings, admin.phone,
                                                     factories.PASSWORD), **ZH})
    assert theirs.status_code == 200 and "东门1号" in theirs.text
    assert 'id="device-form"' not in theirs.text
    # The venue's page links to it.
    detail = client.get(f"/manage/venues/{venue.venue_id}", headers={**headers, **ZH})
    assert f'href="{page_url}"' in detail.text
