"""Abuse limits: a visible daily count, rate limits, and an alert for the district."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.assist.conftest import venue_token
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.assist.models import HelpAlert
from venuecode.assist.service import ALERT_DISTINCT_PER_DAY, HELPER_PER_HOUR
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings


def help_batch(client: TestClient, headers: dict[str, str], token: str, numbers: list[str]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/scans/help", headers=headers, json={
        "venue_code": token,
        "persons": [{"method": "id_typed", "id_number": n, "name": "赵钱孙"} for n in numbers]})


def test_one_phone_helping_more_people_than_a_family_alerts_the_district(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    people = [factories.id_number() for _ in range(ALERT_DISTINCT_PER_DAY + 1)]
    for start in range(0, ALERT_DISTINCT_PER_DAY, 5):
        assert help_batch(client, headers, token, people[start:start + 5]).status_code == 201
        clock.advance(timedelta(minutes=1))
    assert db.scalar(select(HelpAlert)) is None
    last = help_batch(client, headers, token, people[-1:])
    assert last.json()["helped_today"] == ALERT_DISTINCT_PER_DAY + 1
    alert = db.scalar(select(HelpAlert))
    assert alert is not None and alert.distinct_persons == ALERT_DISTINCT_PER_DAY + 1
    assert alert.district == "西湖区"
    assert db.scalar(select(AuditEvent).where(AuditEvent.subject_type == "help_alert")) is not None

    admin = factories.user(db, Role.DISTRICT_ADMIN, district="西湖区")
    elsewhere = factories.user(db, Role.DISTRICT_ADMIN, district="上城区")
    db.commit()
    admin_headers = sign_in(client, settings, admin.phone, factories.PASSWORD)
    listed = client.get("/api/v1/assist/help-alerts", headers=admin_headers).json()
    assert [a["distinct_persons"] for a in listed] == [ALERT_DISTINCT_PER_DAY + 1]
    other = client.get("/api/v1/assist/help-alerts",
                       headers=sign_in(client, settings, elsewhere.phone, factories.PASSWORD)).json()
    assert other == []
    client.cookies.update({"vc_session": admin_headers["Authorization"].split()[1]})
    page = client.get("/admin/help-alerts")
    assert page.status_code == 200 and 'id="help-alerts"' in page.text
    assert client.get("/admin/help-alerts", headers=headers).status_code in (401, 403)
    assert db.scalar(select(AuditEvent).where(AuditEvent.subject_type == "help_alerts")) is not None


def test_a_helper_is_rate_limited_per_hour(client: TestClient, db: Session, settings: Settings,
                                           clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    people = [factories.id_number() for _ in range(HELPER_PER_HOUR + 1)]
    for start in range(0, HELPER_PER_HOUR, 5):
        assert help_batch(client, headers, token, people[start:start + 5]).status_code == 201
    refused = help_batch(client, headers, token, people[-1:])
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "help_too_frequent"


def test_the_daily_count_counts_distinct_people(client: TestClient, db: Session, settings: Settings,
                                                clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    assert help_batch(client, headers, token, [number]).json()["helped_today"] == 1
    clock.advance(timedelta(minutes=30))
    assert help_batch(client, headers, token, [number]).json()["helped_today"] == 1
