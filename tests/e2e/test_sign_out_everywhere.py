"""在所有设备上退出登录: a signed-in person signs every device out from the home page.

Two "devices": this browser context signs in through the pages; a second context holds
another token of the same account. The button asks first (cancel changes nothing), then
says it worked, and the other device's token is refused by pages and API alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, confirm, live_session, screenshot
from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.browser

PHONE = "13700009871"


def test_sign_out_everywhere_asks_first_then_signs_every_device_out(
        browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    from venuecode.people.auth import issue_token
    from venuecode.people.models import User

    phone_a = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone_a.new_page()
    sign_in(page, live_server, PHONE, "/")
    assert page.locator("text=退出登录").first.is_visible()

    # The same account on a second device: a token of its own.
    engine, session = live_session(live_server)
    try:
        user = session.scalars(select(User).where(User.phone == PHONE)).one()
        # The server's key: set in its environment, else kept in its data folder (config).
        secret = live_server.env.get("VENUECODE_SECRET_KEY") or (
            Path(live_server.env["VENUECODE_DATA_DIR"]) / "secret_key.txt").read_text("utf-8").strip()
        other_token = issue_token(secret, user)
    finally:
        session.close()
        engine.dispose()
    phone_b = browser.new_context()
    phone_b.add_cookies([{"name": "vc_session", "value": other_token, "url": live_server.url}])
    other = phone_b.new_page()
    other.goto(f"{live_server.url}/")
    assert other.locator("#logout-all").count() == 1  # signed in there too

    button = page.locator("#logout-all button")
    assert button.inner_text() == "在所有设备上退出登录"
    button.click()
    asked = [confirm(page, accept=False)]
    assert asked and "所有设备上退出登录" in asked[0] and "重新登录" in asked[0]
    assert page.locator("#logout-all").count() == 1  # cancelled: still signed in
    assert phone_b.request.get(f"{live_server.url}/api/v1/me",
                               headers={"Authorization": f"Bearer {other_token}"}).status == 200

    button.click()
    confirm(page)
    page.wait_for_url("**/?signed_out=everywhere")
    notice = page.locator("#signed-out-everywhere")
    assert notice.inner_text() == "已在所有设备上退出登录。如需继续使用，请重新登录。"
    assert page.locator("a[href='/login']").count() >= 1
    screenshot(page, "signed-out-everywhere")

    # The other device: signed out too, on pages and the API.
    other.goto(f"{live_server.url}/")
    assert other.locator("#logout-all").count() == 0
    assert other.locator("a[href='/login']").count() >= 1
    assert phone_b.request.get(f"{live_server.url}/api/v1/me",
                               headers={"Authorization": f"Bearer {other_token}"}).status == 401
    phone_a.close()
    phone_b.close()
