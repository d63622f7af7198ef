"""Feedback on every action (issue 12, item 6), in a real browser on a phone and a desktop:
the confirmation dialog blocks a destructive form until it is accepted, a slow or
download action shows it is busy with its buttons disabled, and a flash says it worked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, live_session, screenshot
from venuecode.assist.models import PaperCode
from venuecode.people.idnumber import make_id_number

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PHONES = {"phone": "13655500711", "desktop": "13655500712"}


def sign_in_and_verify(page, server: LiveServer, phone: str, name: str, number: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/login?next=/me/identity")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("form[action='/login/code'] button[type=submit]")
    page.wait_for_url("**/me/identity**")
    assert page.locator("#flash").inner_text() == "已登录。"
    page.fill("#name", name)
    page.fill("#id_number", number)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    assert page.locator("#flash").inner_text() == "实名认证成功。"


def _card(server: LiveServer, number: str) -> PaperCode | None:
    engine, session = live_session(server)
    try:
        return session.scalar(select(PaperCode).where(PaperCode.id_number == number))
    finally:
        session.close()
        engine.dispose()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_confirm_busy_and_flash_on_the_paper_code_page(browser, live_server: LiveServer,  # type: ignore[no-untyped-def]
                                                       device: str) -> None:
    helper = make_id_number("330106", date(1988, 8, 8), 610 + len(device))
    grandma = make_id_number("330106", date(1944, 4, 4), 620 + len(device))
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    try:
        sign_in_and_verify(page, live_server, PHONES[device], "吴帮办", helper)
        page.goto(f"{live_server.url}/assist/paper-codes")
        page.fill("#paper-name", "吴奶奶")
        page.fill("#paper-id", grandma)
        issue = page.locator("button[value=issue]")
        with page.expect_download() as download:
            issue.click()
        assert download.value.suggested_filename == "paper-health-code.pdf"
        # A download leaves the page in place: its buttons stay disabled with the spinner
        # until data-busy-reset gives them back.
        assert issue.is_disabled() and page.locator("#paper-revoke").is_disabled()
        assert page.locator(".busy-indicator").inner_text() == "正在生成卡片…"
        screenshot(page, f"feedback-busy-{device}")
        page.wait_for_function("() => !document.getElementById('paper-revoke').disabled",
                               timeout=15_000)
        assert page.locator(".busy-indicator").count() == 0

        # Revoke asks first, saying what will happen; 取消 sends nothing.
        page.click("#paper-revoke")
        dialog = page.locator("#confirm-dialog")
        assert dialog.is_visible()
        assert "打印的卡将立即失效" in page.locator("#confirm-text").inner_text()
        assert page.locator("#confirm-ok").inner_text() == "挂失作废"
        screenshot(page, f"feedback-confirm-{device}")
        page.click("#confirm-cancel")
        assert not dialog.is_visible()
        page.wait_for_timeout(500)
        card = _card(live_server, grandma)
        assert card is not None and card.revoked_at is None  # nothing was sent
        assert page.locator("#flash").count() == 0

        page.click("#paper-revoke")
        page.click("#confirm-ok")
        page.wait_for_selector("#flash")
        assert page.locator("#flash").inner_text() == "该卡已挂失作废，补办即可打印新卡。"
        card = _card(live_server, grandma)
        assert card is not None and card.revoked_at is not None
        screenshot(page, f"feedback-flash-{device}")
        page.reload()  # shown once: gone on the next page
        assert page.locator("#flash").count() == 0
    finally:
        context.close()
