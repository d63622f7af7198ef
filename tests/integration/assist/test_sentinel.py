"""数字哨兵: a registered gate device scans people, and uploads what it queued while
offline (issue 11 finding 4: no fabricated, backdated check-ins, no colours disclosed)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, timedelta

import pypdfium2 as pdfium
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.assist.conftest import gate_key
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.scans.models import Checkin
from venuecode.venues.models import Venue


def gate(client: TestClient, db: Session, settings: Settings, district: str = "西湖区"
         ) -> tuple[dict[str, str], Venue]:
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager, district=district)
    db.commit()
    return sign_in(client, settings, manager.phone), venue


def typed(number: str, at: str, client_id: str = "x") -> dict[str, str]:
    return {"client_id": client_id, "scanned_at": at, "id_number": number, "name": "张秀英"}


def checkins_of(db: Session, venue: Venue) -> list[Checkin]:
    db.expire_all()
    return list(db.scalars(select(Checkin).where(Checkin.venue_pk == venue.id)))


def test_an_online_gate_scan_records_a_sentinel_check_in(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    db.commit()
    # The device's key alone: no one's sign-in travels with the gate's calls.
    response = client.post(f"/api/v1/sentinel/{venue.venue_id}/scan", headers=device,
                           data={"method": "id_typed", "id_number": number, "name": "张秀英"})
    assert response.status_code == 201, response.text
    body = response.json()
    # What the gate screen shows the person in front of it: pass, and their colour now.
    assert body["decision"] == "pass" and body["name"] == "张*英" and body["health_color"] == "green"
    entry = db.scalar(select(Checkin).where(Checkin.id_number == number))
    assert entry is not None and entry.channel == "sentinel"
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.GATE_SCANNED.value)).one()
    assert (event.subject_type, event.subject_id, event.actor_role) == ("person", number,
                                                                        "gate_device")
    assert client.get(f"/sentinel/{venue.venue_id}", headers=headers).status_code == 200


def test_gate_calls_need_a_registered_key_of_this_venue_that_is_not_revoked(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = gate(client, db, settings)
    other_headers, other = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    foreign = gate_key(client, other_headers, other.venue_id)
    number = factories.id_number()
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    batch = {"checkins": [typed(number, (clock.now() - timedelta(minutes=5)).isoformat())]}
    scan = f"/api/v1/sentinel/{venue.venue_id}/scan"
    form = {"method": "id_typed", "id_number": number, "name": "张秀英"}

    def refused(extra: dict[str, str]) -> list[tuple[int, str]]:
        answers = [client.post(url, json=batch, headers=extra),
                   client.post(scan, data=form, headers=extra)]
        return [(r.status_code, r.json()["error"]["code"]) for r in answers]

    # No key, and the venue manager's own sign-in is no key either.
    assert refused({}) == [(401, "device_key_missing")] * 2
    assert refused(headers) == [(401, "device_key_missing")] * 2
    assert refused({"X-Device-Key": "vcg_" + "A" * 43}) == [(401, "device_key_invalid")] * 2
    # Another venue's registered device cannot record here.
    assert refused(foreign) == [(403, "device_key_other_venue")] * 2
    # Revoked: refused from the very next call, with words the gate shows.
    listed = client.get(f"/api/v1/venues/{venue.venue_id}/gate-devices", headers=headers).json()
    revoke = client.post(f"/api/v1/venues/{venue.venue_id}/gate-devices/{listed[0]['id']}/revoke",
                         headers=headers)
    assert revoke.status_code == 200 and revoke.json()["active"] is False
    answer = client.post(url, json=batch, headers=device)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "device_key_revoked"
    assert "已被吊销" in client.post(url, json=batch, headers={**device, "Accept-Language": "zh"}
                                  ).json()["error"]["message"]
    assert refused(device) == [(401, "device_key_revoked")] * 2
    assert checkins_of(db, venue) == []
    # The misplaced and the revoked key are audited for operators (a stolen device?).
    codes = sorted(e.reason for e in db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.GATE_REFUSED.value)))
    assert codes == ["device_key_other_venue"] * 2 + ["device_key_revoked"] * 4


def test_offline_check_ins_keep_their_original_times_and_upload_idempotently(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    helper_headers, _ = helper
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    clock.advance(timedelta(hours=6))  # the device was registered before the outage
    number, carded, red = factories.id_number(), factories.id_number(), factories.id_number()
    for n in (number, carded, red):
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
        typed(number, at.isoformat(), "a"),
        {"client_id": "b", "scanned_at": (at + timedelta(minutes=1)).astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"), "qr_image": photo},
        {"client_id": "c", "scanned_at": at.isoformat(), "id_number": red, "name": "王五"},
        typed(number, (clock.now() + timedelta(hours=1)).isoformat(), "d"),
        typed(number[:-1] + ("0" if number[-1] != "0" else "1"), at.isoformat(), "e"),
    ]
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    first = client.post(url, json={"checkins": items}, headers=device)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["stored"], body["duplicates"], body["rejected"]) == (3, 0, 2)
    by_id = {r["client_id"]: r for r in body["results"]}
    # The red person is stored (they were let in; tracing needs them), and the answer
    # says nothing of anyone's colour or verdict: the gate showed none when it queued.
    assert by_id["c"]["status"] == "stored"
    assert not any(word in first.text for word in ("\"red\"", "colo", "decision", "deny"))
    assert all(set(r) == {"client_id", "status", "code", "message"} for r in body["results"])
    assert by_id["d"]["code"] == "scanned_at_future"
    assert by_id["e"]["code"] == "id_number_check"
    entry = db.scalar(select(Checkin).where(Checkin.id_number == number))
    assert entry is not None and entry.scanned_at == at and entry.channel == "sentinel"
    qr_entry = db.scalar(select(Checkin).where(Checkin.id_number == carded))
    assert qr_entry is not None and qr_entry.scanned_at == at + timedelta(minutes=1)

    again = client.post(url, json={"checkins": items}, headers=device).json()
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 3, 2)
    assert len(checkins_of(db, venue)) == 3


def test_a_fabricated_backdated_batch_is_rejected_item_by_item(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    """The attack of finding 4: invented check-ins 19-20 days back. Only what the device
    could have queued in its offline window (24 h, and not before it existed) is kept."""
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    clock.advance(timedelta(hours=30))
    now = clock.now()
    invented = [typed(factories.id_number(), (now - timedelta(days=19, minutes=i)).isoformat(),
                      f"f{i}") for i in range(40)]
    edge = [typed(factories.id_number(), (now - timedelta(hours=24, minutes=1)).isoformat(), "old"),
            typed(factories.id_number(), (now - timedelta(hours=23, minutes=59)).isoformat(), "ok"),
            typed(factories.id_number(), (now + timedelta(minutes=1)).isoformat(), "skew"),
            typed(factories.id_number(), (now + timedelta(minutes=3)).isoformat(), "future")]
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    response = client.post(url, json={"checkins": invented + edge}, headers=device)
    assert response.status_code == 200, response.text
    body = response.json()
    by_id = {r["client_id"]: r for r in body["results"]}
    assert (body["stored"], body["rejected"]) == (2, 42)
    assert {by_id[f"f{i}"]["code"] for i in range(40)} == {"scanned_at_too_old"}
    assert "24" in by_id["old"]["message"] and "未保存" in by_id["old"]["message"]
    assert (by_id["ok"]["status"], by_id["skew"]["status"]) == ("stored", "stored")
    assert by_id["future"]["code"] == "scanned_at_future"
    assert sorted(c.scanned_at for c in checkins_of(db, venue)) == [
        now - timedelta(hours=23, minutes=59), now + timedelta(minutes=1)]

    # A device registered just now cannot have queued anything before it existed.
    fresh = gate_key(client, headers, venue.venue_id, "西门")
    late = client.post(url, headers=fresh, json={"checkins": [
        typed(factories.id_number(), (now - timedelta(hours=2)).isoformat(), "before")]}).json()
    assert late["results"][0]["code"] == "scanned_at_before_device" and late["stored"] == 0


def test_the_offline_window_is_a_setting(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    settings.gate_offline_hours = 2
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    clock.advance(timedelta(hours=5))
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    body = client.post(url, headers=device, json={"checkins": [
        typed(factories.id_number(), (clock.now() - timedelta(hours=3)).isoformat(), "a"),
        typed(factories.id_number(), (clock.now() - timedelta(hours=1)).isoformat(), "b"),
    ]}).json()
    assert [r["status"] for r in body["results"]] == ["rejected", "stored"]
    assert "2小时" in body["results"][0]["message"]


def test_uploads_are_limited_per_device(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id)
    second = gate_key(client, headers, venue.venue_id, "西门")
    clock.advance(timedelta(hours=1))
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"

    def batch(n: int) -> dict[str, object]:
        at = clock.now() - timedelta(minutes=10)
        return {"checkins": [typed(factories.id_number(), at.isoformat(), str(i))
                             for i in range(n)]}

    too_big = client.post(url, json=batch(51), headers=device)
    assert too_big.status_code == 422 and "checkins" in too_big.text
    for _ in range(2):
        assert client.post(url, json=batch(50), headers=device).json()["stored"] == 50
    # 120 items a minute per device: the third batch of 50 is refused whole, not stored.
    refused = client.post(url, json=batch(50), headers=device)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "gate_too_frequent"
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(checkins_of(db, venue)) == 100
    # The rest of the minute's 120 fit; then live scans are refused too (the same count),
    # while another device of the venue has its own.
    assert client.post(url, json=batch(20), headers=device).json()["stored"] == 20
    live = client.post(f"/api/v1/sentinel/{venue.venue_id}/scan", headers=device, data={
        "method": "id_typed", "id_number": factories.id_number(), "name": "张秀英"})
    assert (live.status_code, live.json()["error"]["code"]) == (429, "gate_too_frequent")
    assert client.post(url, json=batch(50), headers=second).json()["stored"] == 50


def test_the_persons_access_log_names_the_venue_and_gate_that_uploaded(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    citizen, number = helper
    headers, venue = gate(client, db, settings)
    device = gate_key(client, headers, venue.venue_id, "东门1号")
    clock.advance(timedelta(hours=2))
    url = f"/api/v1/sentinel/{venue.venue_id}/checkins"
    item = typed(number, (clock.now() - timedelta(hours=1)).isoformat(), "me")
    item["name"] = "王帮"
    for _ in range(2):  # the second upload stores nothing: nothing new in the log
        assert client.post(url, json={"checkins": [item]}, headers=device).status_code == 200
    log = client.get("/api/v1/me/access-log", headers={**citizen, "Accept-Language": "zh"}).json()
    gate_entries = [e for e in log if e["action"] == AuditAction.GATE_UPLOADED.value]
    assert len(gate_entries) == 1
    assert gate_entries[0]["what"] == f"场所“{venue.name}”的闸机“东门1号”上传了您的入场记录"
    assert gate_entries[0]["role_name"] == "场所闸机"
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.GATE_UPLOADED.value).order_by(AuditEvent.id)).first()
    assert event is not None and event.subject_type == "gate_device"
