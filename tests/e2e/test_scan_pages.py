"""A citizen signs in with the SMS code, binds an identity, opens a venue URL and sees the
stamp, the verdict and the four panels; one screenshot per verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, live_session, screenshot
from tests.support import facts as f
from venuecode.people.idnumber import make_id_number

pytestmark = pytest.mark.browser


def arrange(server: LiveServer, action: Callable[[Session, datetime], None]) -> None:
    engine, session = live_session(server)
    try:
        action(session, datetime.now(UTC))
        session.commit()
    finally:
        session.close()
        engine.dispose()


def venue_url(server: LiveServer, venue_id: str) -> str:
    for line in server.cli("venues", "list").splitlines():
        fields = line.split("\t")
        if fields[0] == venue_id:
            return fields[-1]
    raise AssertionError(f"{venue_id} not listed")


def citizen_scans(page, server: LiveServer, phone: str, name: str, number: str, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_url("**/login**")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("button[type=submit]")
    page.wait_for_url("**/me/identity**")
    page.fill("#name", name)
    page.fill("#id_number", number)
    page.click("button[type=submit]")
    page.wait_for_url("**/s/**")
    if page.locator("#verdict").count() == 0:
        screenshot(page, "scan-debug")
        raise AssertionError(page.content()[:3000])


CASES = [
    # phone, name, verdict shown, arrange facts, screenshot
    ("13600000001", "王小明", "通行", "pass"),
    ("13600000002", "李红", "禁止通行", "red"),
    ("13600000003", "赵黄", "禁止通行", "yellow"),
    ("13600000004", "孙旧", "禁止通行", "expired-test"),
]


@pytest.mark.parametrize(("phone", "name", "verdict", "label"), CASES)
def test_the_scan_result_shows_stamp_verdict_and_four_panels(
        page, live_server: LiveServer, phone: str, name: str, verdict: str, label: str) -> None:  # type: ignore[no-untyped-def]
    number = make_id_number("330106", datetime(1960, 5, 1).date(), int(phone[-3:]))

    def facts(db: Session, now: datetime) -> None:
        f.healthy(db, number, now)
        if label == "red":
            f.health_code(db, number, "red", now - timedelta(hours=2), "密接")
        elif label == "yellow":
            f.health_code(db, number, "yellow", now - timedelta(hours=2), "时空交集")
        elif label == "expired-test":
            from sqlalchemy import delete

            from venuecode.facts.models import NucleicAcidTestRecord

            db.execute(delete(NucleicAcidTestRecord).where(
                NucleicAcidTestRecord.id_number == number))
            f.negative_test(db, number, now - timedelta(hours=90))

    arrange(live_server, facts)
    citizen_scans(page, live_server, phone, name, number, venue_url(live_server, "HZ-XH-0002"))

    assert page.locator("#verdict").inner_text().replace(" ", "") == verdict
    assert page.locator(".stamp-text").inner_text() == "已扫码"
    assert page.locator("#venue-name").inner_text().startswith("地铁2号线文三路站")
    for panel in ("health-code", "nucleic-acid", "vaccination", "itinerary"):
        assert page.locator(f"#panel-{panel}").is_visible()
    # The clock ticks: a screenshot of this page would be visibly frozen.
    first = page.locator("#clock").inner_text()
    page.wait_for_timeout(1200)
    assert page.locator("#clock").inner_text() != first
    # One phone screen, no scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= 844
    if label == "red":
        assert page.locator("#panel-health-code .panel-main").inner_text() == "红码"
    if label == "expired-test":
        assert "无效" in page.locator("#panel-nucleic-acid").inner_text()
    if verdict != "通行":
        assert page.locator("#reasons li").count() >= 1
    screenshot(page, f"scan-{label}")
    if label == "red":
        # The history lists the denied attempt with its reasons in words, in either language.
        page.goto(f"{live_server.url}/me/scans")
        history = page.locator("#history").inner_text()
        assert "红码" in history and "health_code" not in history
        page.goto(f"{live_server.url}/me/scans?lang=en")
        english = page.locator("#history").inner_text()
        assert "Red health code" in english and "、" not in english
        screenshot(page, "history-denied-en")
