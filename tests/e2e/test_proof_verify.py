"""防伪核验 in a real browser: a citizen's result page shows the verification QR; a staff
phone (390 px, no account needed) reads it, from a photo or pasted, and sees the verified
verdict full screen with venue, time and a ticking clock; a forged one shows red; the gate
page's verify mode does the same."""

from __future__ import annotations

import io
import time
from datetime import date, datetime

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy.orm import Session

from tests.e2e.conftest import ARTIFACTS, LiveServer, screenshot
from tests.e2e.test_foundation_pages import sign_in
from tests.e2e.test_scan_pages import arrange, citizen_scans, venue_url
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.people.idnumber import make_id_number
from venuecode.people.service import create_user
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue, approve_venue

pytestmark = pytest.mark.browser

CITIZEN_PHONE = "13655500301"
NUMBER = make_id_number("330106", date(1961, 6, 6), 301)
MANAGER_PHONE = "13655500302"
GATE_VENUE = "HZ-XH-7731"


def csp_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def decode(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def verdict_shown(page, kind: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#proof-verdict.proof-{kind}", state="visible")
    box = page.locator("#proof-verdict").bounding_box()
    assert box is not None and box["width"] >= 389 and box["height"] >= 800  # full screen
    return {k: page.locator(f"#proof-{k}").inner_text() for k in
            ("big", "venue", "when", "who", "why", "clock", "left")}


def test_a_staff_phone_verifies_the_result_qr(browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    arrange(live_server, lambda db, now: f.healthy(db, NUMBER, now))
    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2)
    phone = citizen.new_page()
    citizen_errors = csp_errors(phone)
    citizen_scans(phone, live_server, CITIZEN_PHONE, "周核验", NUMBER,
                  venue_url(live_server, "HZ-XH-0002"))
    assert "通行" in phone.locator("#verdict").inner_text()
    venue_name = phone.locator("#venue-name").inner_text().strip()
    qr = phone.locator("#proof-box .proof-qr")
    # Still one phone screen with the QR on it (test_scan_pages checks the same).
    assert phone.evaluate("document.documentElement.scrollHeight") <= 844
    assert qr.is_visible() and "防伪核验码" in phone.locator("#proof-box").inner_text()
    screenshot(phone, "proof-result-page")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    qr_png = qr.screenshot(path=str(ARTIFACTS / "proof-result-qr.png"))
    (proof,) = decode(qr_png)  # what a guard's camera reads off the citizen's screen
    assert proof.count(".") == 2
    # Tapped, it fills the screen for a guard's camera; tapped again, it closes.
    phone.click("#proof-box .proof-link")
    large = phone.locator("#proof-large .proof-qr")
    assert large.is_visible() and large.bounding_box()["width"] >= 330  # type: ignore[index]
    screenshot(phone, "proof-result-qr-large")
    (large_text,) = decode(large.screenshot())
    assert large_text == proof
    phone.click("#proof-large .proof-large-close")
    assert not large.is_visible()
    assert citizen_errors == []

    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = staff.new_page()
    staff_errors = csp_errors(page)
    page.goto(f"{live_server.url}/verify")
    assert "核验扫码结果" in page.inner_text("h1")
    screenshot(page, "proof-verify-page")

    # A photo of the citizen's screen (the phone camera's way without live scanning).
    page.set_input_files("#proof-photo", files=[{"name": "qr.png", "mimeType": "image/png",
                                                  "buffer": qr_png}])
    shown = verdict_shown(page, "pass")
    assert shown["big"] == "核验通过 · 通行"
    assert shown["venue"] == venue_name
    assert shown["when"].startswith("扫码时间 ")
    assert shown["who"] == f"周*验 {NUMBER[:4]}{'*' * 10}{NUMBER[-4:]}"  # masked
    first_clock = shown["clock"]
    time.sleep(1.2)
    assert page.locator("#proof-clock").inner_text() != first_clock  # ticking
    assert "秒有效" in page.locator("#proof-left").inner_text()
    screenshot(page, "proof-verify-pass")
    page.click("#proof-again")
    assert page.locator("#proof-verdict").is_hidden()

    # Pasted: the same verdict; then an altered one is red, and says so.
    page.fill("#proof-text", proof)
    page.click("#proof-submit")
    assert verdict_shown(page, "pass")["big"] == "核验通过 · 通行"
    page.click("#proof-again")
    head, payload, signature = proof.split(".")
    tampered = f"{head}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    page.fill("#proof-text", tampered)
    page.click("#proof-submit")
    forged = verdict_shown(page, "refused")
    assert forged["big"] == "核验失败 · 禁止通行" and "伪造" in forged["why"]
    screenshot(page, "proof-verify-forged")
    assert staff_errors == []
    staff.close()
    citizen.close()


def test_the_gate_page_has_a_verify_mode(browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    def setup(db: Session, now: datetime) -> None:
        manager = create_user(db, Actor.cli(), MANAGER_PHONE, Role.VENUE_MANAGER, "门岗", None, None)
        venue = apply_for_venue(db, Actor.cli(), VenueApplication(
            venue_id=GATE_VENUE, name="文三路核验站", category="market", district="西湖区",
            address="文三路 3 号", manager_name="门岗", manager_phone=MANAGER_PHONE), manager.id)
        approve_venue(db, Actor.cli(), venue, None)

    arrange(live_server, setup)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors = csp_errors(page)
    sign_in(page, live_server, MANAGER_PHONE, f"/sentinel/{GATE_VENUE}")
    page.click("#sentinel-proof summary")
    page.fill("#proof-text", "eyJhbGciOiJFZERTQSIsImtpZCI6Ik5vU3VjaEtlIn0.e30.AAAA")
    page.click("#proof-submit")
    shown = verdict_shown(page, "refused")
    assert "未知的密钥" in shown["why"]
    screenshot(page, "proof-gate-verify-refused")
    assert errors == []
    context.close()
