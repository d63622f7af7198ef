"""A venue manager signs in, sees the venue, prints the poster; a citizen opens the code."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

MANAGER = "13800000002"


def sign_in(page, server: LiveServer, phone: str, next_path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")


@pytest.fixture(scope="module")
def manager_state(browser, live_server: LiveServer, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Sign in once through the pages (SMS codes are rate-limited per phone) and keep the cookie."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, MANAGER, "/manage/venues")
    path = tmp_path_factory.mktemp("state") / "manager.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def manager_page(browser, manager_state: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  storage_state=manager_state)
    page = context.new_page()
    yield page
    context.close()


def test_manager_signs_in_and_sees_the_poster_of_an_approved_venue(
        manager_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = manager_page
    page.goto(f"{live_server.url}/manage/venues")
    assert page.locator("text=文三路农贸市场").count() >= 1
    screenshot(page, "manager-venues")
    page.click("text=文三路农贸市场")
    page.wait_for_url("**/manage/venues/HZ-XH-0001")
    assert page.locator("#venue-status").inner_text() == "已通过"
    preview = page.locator("img.poster-preview")
    preview.wait_for()
    assert page.evaluate("(img) => img.naturalWidth", preview.element_handle()) > 100
    screenshot(page, "manager-venue-detail")

    png = page.request.get(f"{live_server.url}/api/v1/venues/HZ-XH-0001/poster.png")
    assert png.status == 200
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
    assert decoded and decoded[0].text.startswith(f"{live_server.url}/s/")

    # The poster's own URL, opened like a phone would, is a valid code: the scan starts
    # (this manager has no real-name binding yet, so it asks for one first).
    page.goto(decoded[0].text)
    page.wait_for_url("**/me/identity?next=/s/**")
    screenshot(page, "poster-url-landing")


def test_a_pending_application_shows_no_poster(manager_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = manager_page
    page.goto(f"{live_server.url}/manage/venues/HZ-XH-0099")
    assert page.locator("#venue-status").inner_text() == "待审核"
    assert page.locator("img.poster-preview").count() == 0


def test_a_manager_applies_through_the_form_and_sees_the_field_errors(
        manager_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page = manager_page
    page.goto(f"{live_server.url}/manage/venues/new")
    page.fill("#name", "文二路便利店")
    page.select_option("#category", "supermarket")
    page.select_option("#district", "西湖区")
    page.fill("#manager_name", "李四")
    page.fill("#manager_phone", "123")
    page.click("button[type=submit]")
    error = page.locator(".error").inner_text()
    assert error.startswith("负责人电话") and "mobile number" in error
    page.fill("#manager_phone", "13800000002")
    page.click("button[type=submit]")
    page.wait_for_url("**/manage/venues/VC*")
    assert page.locator("#venue-status").inner_text() == "待审核"
    screenshot(page, "manager-applied")
