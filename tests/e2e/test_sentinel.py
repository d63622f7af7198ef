"""The gate device (数字哨兵): the manager registers it and enters its key on it once; a scan
shows the verdict full-screen; during an outage the scan is queued on the device and
uploaded with its original time when the network returns; a revoked key stops it."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, confirm, live_session, screenshot
from tests.e2e.test_foundation_pages import sign_in
from tests.e2e.test_scan_pages import arrange
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.people.idnumber import make_id_number
from venuecode.people.service import create_user
from venuecode.scans.models import Checkin
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue, approve_venue

pytestmark = pytest.mark.browser

MANAGER_PHONE = "13655500002"
VENUE_ID = "HZ-XH-7701"
PASSING = make_id_number("330106", date(1951, 4, 4), 771)
QUEUED = make_id_number("330106", date(1952, 5, 5), 772)


def test_the_gate_scans_and_catches_up_after_an_outage(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    def setup(db: Session, now: datetime) -> None:
        manager = create_user(db, Actor.cli(), MANAGER_PHONE, Role.VENUE_MANAGER, "门岗", None, None)
        venue = apply_for_venue(db, Actor.cli(), VenueApplication(
            venue_id=VENUE_ID, name="文三路社区卫生服务站", category="market", district="西湖区",
            address="文三路 1 号", manager_name="门岗", manager_phone=MANAGER_PHONE), manager.id)
        approve_venue(db, Actor.cli(), venue, None)
        f.healthy(db, PASSING, now)
        f.healthy(db, QUEUED, now)

    arrange(live_server, setup)
    devices = f"/manage/venues/{VENUE_ID}/gate-devices"
    sign_in(page, live_server, MANAGER_PHONE, devices)
    page.fill("#device-label", "东门1号")
    page.click("#device-form button[type=submit]")
    key = page.locator("#device-key").inner_text().strip()
    assert key.startswith("vcg_")
    assert "已登记" in page.locator("#device-issued").inner_text()
    screenshot(page, "gate-device-issued")

    # The gate page asks for the device's key before it scans anyone.
    page.goto(f"{live_server.url}/sentinel/{VENUE_ID}")
    page.wait_for_selector("#sentinel-key-input")
    assert page.locator("#sentinel-scans").is_hidden()
    page.fill("#sentinel-key-input", key)
    page.click("#sentinel-key button[type=submit]")
    page.wait_for_selector("#sentinel-typed")
    assert page.locator("#sentinel-key-prefix").inner_text().startswith(key[:12])
    page.reload()  # kept on the device
    page.wait_for_selector("#sentinel-typed")

    page.fill("#sentinel-name", "钱大妈")
    page.fill("#sentinel-id", PASSING)
    page.click("#sentinel-typed button[type=submit]")
    page.wait_for_selector("#sentinel-verdict.sentinel-pass")
    assert page.locator("#sentinel-big").inner_text().replace(" ", "") == "通行"
    screenshot(page, "sentinel-pass")

    page.context.set_offline(True)
    before = time.time()
    page.fill("#sentinel-name", "孙大爷")
    page.fill("#sentinel-id", QUEUED)
    page.click("#sentinel-typed button[type=submit]")
    page.wait_for_selector("#sentinel-verdict.sentinel-queued")
    queued = time.time()
    assert page.locator("#queue-count").inner_text() == "1"
    page.wait_for_timeout(1500)  # the upload must carry the scan time, not the upload time
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'",
                           timeout=20_000)  # a function: the CSP forbids eval

    engine, session = live_session(live_server)
    try:
        entry = session.scalar(select(Checkin).where(Checkin.id_number == QUEUED))
        assert entry is not None and entry.channel == "sentinel"
        assert before - 0.5 <= entry.scanned_at.timestamp() <= queued + 0.5
    finally:
        session.close()
        engine.dispose()
    assert "保存 1 条" in page.locator("#sentinel-upload-status").inner_text()

    # Revoking asks first; dismissed, nothing changes; confirmed, the key stops working.
    page.goto(f"{live_server.url}{devices}")
    page.click("#device-list button[type=submit]")
    confirm(page, accept=False)
    assert page.locator("#device-list").inner_text().count("使用中") == 1
    page.click("#device-list button[type=submit]")
    confirm(page)
    page.wait_for_selector("#device-revoked")
    assert "已吊销" in page.locator("#device-revoked").inner_text()
    page.goto(f"{live_server.url}/sentinel/{VENUE_ID}")
    page.fill("#sentinel-name", "钱大妈")
    page.fill("#sentinel-id", PASSING)
    page.click("#sentinel-typed button[type=submit]")
    page.wait_for_selector("#sentinel-key-input")
    assert "已被吊销" in page.locator("#sentinel-key-error").inner_text()
    screenshot(page, "gate-device-revoked")
