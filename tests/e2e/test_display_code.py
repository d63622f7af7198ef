"""The venue display (动态场所码) in a real browser: its QR, read back from a screenshot by
zxing-cpp, scans; the browser's WebCrypto derives exactly the codes Python does; offline
it keeps deriving. At a tablet size and on a 390-px phone."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_scan_pages import citizen_scans
from tests.e2e.test_venue_pages import sign_in
from venuecode.people.idnumber import make_id_number
from venuecode.venues import display

pytestmark = pytest.mark.browser

MANAGER = "13800000002"  # the demo's venue manager (李四)
VENUE = "HZ-XH-0002"  # one of the demo's venues, managed by 李四
SCREENS = {"tablet": {"width": 820, "height": 1180}, "phone": {"width": 390, "height": 844}}


def _key(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _decode(path: Any) -> list[str]:
    with Image.open(path) as image:
        return [b.text for b in zxingcpp.read_barcodes(image.convert("L"),
                                                        formats=zxingcpp.BarcodeFormat.QRCode)]


def _shown(page: Any) -> tuple[str, int]:
    page.wait_for_selector("#display-qr[data-step] svg")
    box = page.locator("#display-qr")
    return str(box.get_attribute("data-url")), int(box.get_attribute("data-step") or "0")


@pytest.fixture(scope="module")
def manager_state(browser: Any, live_server: LiveServer) -> Any:
    """The manager signed in once (one SMS a minute per phone): the cookies, for each test."""
    context = browser.new_context(locale="zh-CN")
    try:
        sign_in(context.new_page(), live_server, MANAGER, "/manage/venues")
        return context.storage_state()
    finally:
        context.close()


def test_the_browser_derives_the_same_stamps_as_python(browser: Any, live_server: LiveServer,
                                                       manager_state: Any) -> None:
    context = browser.new_context(viewport=SCREENS["phone"], locale="zh-CN",
                                  storage_state=manager_state)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/manage/venues/{VENUE}/display")
        _shown(page)
        screen = page.locator("#display")
        key_text, token = screen.get_attribute("data-key"), screen.get_attribute("data-token")
        assert key_text and token
        vectors = [(key_text, token, step) for step in (0, 1, 59_000_000, 68_000_123)]
        fixed_key = display.key_text(bytes(range(32)))
        vectors.append((fixed_key, "AQEAAAABAAFxmWc3pQ2Xw2kN", 56_789_012))
        for k, t, step in vectors:
            js = page.evaluate("([k, t, s]) => window.venuecodeDisplay.stampFor(k, t, s)",
                               [k, t, step])
            assert js == display.stamp_mac(_key(k), t, step), (k, t, step)
    finally:
        context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_display_shows_a_rotating_code_that_scans_and_keeps_going_offline(
        browser: Any, live_server: LiveServer, manager_state: Any, screen: str) -> None:
    viewport = SCREENS[screen]
    context = browser.new_context(viewport=viewport, locale="zh-CN", storage_state=manager_state)
    page = context.new_page()
    citizen_context = browser.new_context(viewport=SCREENS["phone"], locale="zh-CN")
    citizen = citizen_context.new_page()
    try:
        page.goto(f"{live_server.url}/manage/venues/{VENUE}")
        page.click("#display-link")
        page.wait_for_url(f"**/manage/venues/{VENUE}/display")
        url, step = _shown(page)
        now = datetime.now(UTC)
        seconds = int(page.locator("#display").get_attribute("data-seconds") or "0")
        assert seconds == 30
        assert abs(step - display.step_of(now, seconds)) <= 1
        assert page.locator("#display-name").inner_text().startswith("地铁2号线文三路站")
        first = page.locator("#clock").inner_text()
        page.wait_for_timeout(1100)
        assert page.locator("#clock").inner_text() != first  # a live clock
        assert 1 <= int(page.locator("#countdown").inner_text()) <= seconds
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # The QR fills most of the narrower side and fits on the screen without scrolling.
        qr = page.locator("#display-qr").bounding_box()
        assert qr is not None and qr["width"] >= 0.55 * min(viewport["width"], viewport["height"])
        assert page.evaluate("document.documentElement.scrollHeight") <= viewport["height"]
        shot = screenshot(page, f"display-code-{screen}")
        decoded = _decode(shot)
        if decoded != [url]:  # the code changed between the read and the screenshot
            url, _ = _shown(page)
            decoded = _decode(screenshot(page, f"display-code-{screen}"))
        assert decoded == [url], decoded
        assert f"/s/{page.locator('#display').get_attribute('data-token')}.{url.split('.')[-2]}." in url

        # The CLI prints the code the screen shows (to check a screen by eye); the step may
        # have moved on between the two reads, never by more than one.
        before = _shown(page)[0]
        printed = live_server.cli("venues", "display-code", VENUE).strip()
        assert printed in {before, _shown(page)[0]}, (printed, before)

        # A citizen scans what the screen shows: checked in through the usual pages.
        n = 21 if screen == "tablet" else 22
        phone = f"136000000{n}"
        citizen_scans(citizen, live_server, phone, "钱动态",
                      make_id_number("330106", datetime(1970, 5, 1).date(), 700 + n), url)
        assert citizen.locator(".stamp-text").inner_text() == "已扫码"
        assert citizen.locator("#venue-name").inner_text().startswith("地铁2号线文三路站")
        key_text = page.locator("#display").get_attribute("data-key") or ""
        assert key_text and key_text not in citizen.content()  # never on a citizen's phone

        # Offline the screen goes on: the next step's code is derived in the browser.
        context.set_offline(True)
        page.wait_for_function("s => Number(document.querySelector('#display-qr')"
                               ".getAttribute('data-step')) > s", arg=step, timeout=35_000)
        later, later_step = _shown(page)
        token = page.locator("#display").get_attribute("data-token") or ""
        assert later.endswith(f"/s/{token}.{later_step}."
                              f"{display.stamp_mac(_key(key_text), token, later_step)}")
        offline_shot = _decode(screenshot(page, f"display-code-{screen}-offline"))
        assert offline_shot == [_shown(page)[0]], offline_shot
    finally:
        context.close()
        citizen_context.close()
