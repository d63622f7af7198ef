from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.venues import service as venues


def scan_as(client: TestClient, settings: Settings, db: Session, phone: str, n: int, name: str,
            url: str, color: str, now) -> str:  # type: ignore[no-untyped-def]
    headers = sign_in(client, settings, phone)
    number = factories.id_number(n)
    client.put("/api/v1/me/identity", json={"id_number": number, "name": name}, headers=headers)
    f.healthy(db, number, now)
    if color != "green":
        f.health_code(db, number, color, now - timedelta(hours=1))
    db.commit()
    assert client.post("/api/v1/scans", json={"venue_code": url}, headers=headers).status_code == 201
    return number


def test_a_manager_sees_todays_entries_masked_with_counts_by_colour(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager, venue_id="HZ-E1")
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    url = signer.url(venues.venue_token(signer, venue) or "")
    green = scan_as(client, settings, db, "13500000001", 201, "张小三", url, "green", clock.now())
    scan_as(client, settings, db, "13500000002", 202, "李四", url, "yellow", clock.now())
    scan_as(client, settings, db, "13500000003", 203, "王五", url, "red", clock.now())

    headers = sign_in(client, settings, manager.phone)
    body = client.get("/api/v1/venues/HZ-E1/entries", headers=headers).json()
    assert body["counts"]["green"] == 1 and body["counts"]["yellow"] == 1
    assert body["counts"]["red"] == 1 and body["counts"]["denied"] == 2
    passed = [r for r in body["rows"] if r["decision"] == "pass"]
    assert passed[0]["name"] == "张*三"
    assert passed[0]["id_number"] == green[:4] + "*" * 10 + green[-4:]
    assert green not in str(body)
    # Polling again within ten minutes is one audited look, not two.
    client.get("/api/v1/venues/HZ-E1/entries", headers=headers)
    views = db.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "venue.viewed_entries", AuditEvent.subject_id == "HZ-E1"))
    assert views == 1


def test_another_manager_may_not_see_the_entries(client: TestClient, db: Session,
                                                 settings: Settings) -> None:
    owner = factories.user(db, Role.VENUE_MANAGER)
    other = factories.user(db, Role.VENUE_MANAGER)
    factories.venue(db, manager=owner, venue_id="HZ-E2")
    db.commit()
    headers = sign_in(client, settings, other.phone)
    assert client.get("/api/v1/venues/HZ-E2/entries", headers=headers).status_code == 403
    citizen = sign_in(client, settings, "13500000009")
    assert client.get("/api/v1/venues/HZ-E2/entries", headers=citizen).status_code == 403


def test_a_district_admin_sees_volumes_per_venue_and_hour(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    venue = factories.venue(db, venue_id="HZ-D1", district="西湖区")
    factories.venue(db, venue_id="HZ-D2", district="上城区")
    admin = factories.user(db, Role.DISTRICT_ADMIN, district="西湖区")
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    url = signer.url(venues.venue_token(signer, venue) or "")
    scan_as(client, settings, db, "13500000011", 211, "赵六", url, "green", clock.now())
    headers = sign_in(client, settings, admin.phone, factories.PASSWORD)
    body = client.get("/api/v1/district/volumes", headers=headers).json()
    assert body["district"] == "西湖区"
    assert [v["venue_id"] for v in body["venues"]] == ["HZ-D1"]
    assert body["venues"][0]["entries"] == 1
    local_hour = clock.now().astimezone(settings.tz).hour
    assert body["hours"][local_hour] == 1 and sum(body["hours"]) == 1
    other = client.get("/api/v1/district/volumes?district=上城区", headers=headers)
    assert other.status_code == 403
    page = client.get("/admin/district", headers={**headers, "accept": "text/html"})
    assert page.status_code == 200 and "<svg" in page.text
