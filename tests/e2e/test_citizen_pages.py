"""The citizen's pages on a 390-px phone and a desktop (issue 12, item 8): home links,
history a page at a time with exits and reasons in words, the bound identity, and the
sign-in code page's countdown, resend and second request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.e2e.conftest import LiveServer, live_session, screenshot
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.people.idnumber import make_id_number
from venuecode.people.service import create_user
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.venues.models import Venue

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PHONES = {"phone": "13655500721", "desktop": "13655500722"}


def _citizen_with_history(server: LiveServer, phone: str, number: str) -> None:
    engine, session = live_session(server)
    try:
        pk = dict(session.query(Venue.venue_id, Venue.id).all())["HZ-XH-0002"]
        start = datetime.now(UTC) - timedelta(days=6)
        for i in range(40):
            at = start + timedelta(hours=3 * i)
            session.add(Checkin(id_number=number, venue_pk=pk, channel="scan", scanned_at=at,
                                checked_out_at=at + timedelta(minutes=45) if i % 3 else None))
        for i in range(7):
            session.add(DeniedAttempt(id_number=number, venue_pk=pk, channel="scan",
                                      attempted_at=start + timedelta(hours=3 * 40 + i),
                                      reasons="health_code_yellow", health_color="yellow"))
        user = create_user(session, Actor.cli(), phone, Role.CITIZEN, "e2e")
        user.id_number, user.real_name = number, "郑历史"
        session.commit()
    finally:
        session.close()
        engine.dispose()


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_home_history_identity_and_the_code_page(browser, live_server: LiveServer, device: str) -> None:  # type: ignore[no-untyped-def]
    phone = PHONES[device]
    number = make_id_number("330106", date(1979, 9, 9), 700 + len(device))
    _citizen_with_history(live_server, phone, number)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        page.fill("#phone", phone)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/code**")
        # 60-s countdown to 重新发送, ticking.
        resend = page.locator("#resend")
        assert resend.is_disabled() and "秒后可重新发送" in resend.inner_text()
        before = int(resend.inner_text().split(" ")[0])
        page.wait_for_timeout(2100)
        assert int(resend.inner_text().split(" ")[0]) < before
        screenshot(page, f"citizen-code-countdown-{device}")
        # Asking again from the phone page within 60 s: back on the code page, told when.
        page.click("text=换一个手机号")
        page.fill("#phone", phone)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/code**")
        assert "秒后可重新获取" in page.locator("#code-again").inner_text()
        page.fill("#code", live_server.sms_code(phone))
        page.click("form[action='/login/code'] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        for href in ("/me/scans", "/me/identity", "/me/access-log"):
            assert page.locator(f"a[href='{href}']").count() == 1
        screenshot(page, f"citizen-home-{device}")

        page.click("a[href='/me/identity']")
        assert page.locator("#identity-bound").is_visible()
        assert page.locator("#bound-name").inner_text() == "郑*史"
        assert page.locator("#id_number").count() == 0
        _fits(page)
        screenshot(page, f"citizen-identity-{device}")

        page.goto(f"{live_server.url}/me/scans")
        assert page.locator(".history-item").count() == 20
        assert "共 47 条记录" in page.locator("#history-total").inner_text()
        first = page.locator(".history-item").first.inner_text()
        assert "原因： 黄码" in first and "health_code" not in first
        _fits(page)
        screenshot(page, f"citizen-history-{device}")
        page.click("#pager a:text-is('3')")
        page.wait_for_url("**/me/scans?page=3")
        assert page.locator(".history-item").count() == 7
        exits = page.locator(".history-exit").all_inner_texts()
        assert any("离开" in e for e in exits) and "未登记离开" in exits
        page.click("#to-access-log")
        page.wait_for_url("**/me/access-log")
        _fits(page)
        screenshot(page, f"citizen-access-log-{device}")
    finally:
        context.close()
