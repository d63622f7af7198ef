"""A citizen scans a venue, then help-scans two people: one by an ID-card photo (real OCR)
and one by citizen-card number; the stacked result shows both."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_scan_pages import arrange, citizen_scans, venue_url
from tests.support import facts as f
from tests.support.idcards import render_id_card
from venuecode.facts.models import CitizenCardRecord
from venuecode.people.idnumber import make_id_number

pytestmark = pytest.mark.browser

PHONE = "13655500001"  # SMS codes are rate-limited per phone: one number per test
HELPER = make_id_number("330106", date(1990, 2, 3), 551)
GRANDMA_BORN = date(1950, 6, 9)
GRANDMA = make_id_number("330106", GRANDMA_BORN, 482)
GRANDPA = make_id_number("330106", date(1948, 1, 20), 553)


def test_help_scan_stacks_two_people(page, live_server: LiveServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def facts(db: Session, now: datetime) -> None:
        for number in (HELPER, GRANDMA, GRANDPA):
            f.healthy(db, number, now)
        db.add(CitizenCardRecord(card_number="HZ0000553", id_number=GRANDPA, source="test",
                                 batch_id=None, received_at=now))

    arrange(live_server, facts)
    photo = tmp_path / "grandma-card.jpg"
    photo.write_bytes(render_id_card("周桂兰", GRANDMA, "女", "汉", GRANDMA_BORN,
                                     "浙江省杭州市西湖区文三路128号3幢502室", rotate=-5.0, jpeg_quality=70))
    citizen_scans(page, live_server, PHONE, "陈帮扫", HELPER, venue_url(live_server, "HZ-XH-0002"))
    assert page.locator("#verdict").inner_text().replace(" ", "") == "通行"

    page.click("#help-scan")
    page.wait_for_url("**/help/**")
    assert "今日已帮扫 0 人" in page.locator("#help-count").inner_text()
    page.set_input_files("#id-photo", str(photo))
    page.click("#form-id-photo button[type=submit]")
    page.wait_for_selector("#confirm-form", timeout=60_000)
    # The helper sees what was read, editable, before anyone is checked in.
    assert page.locator("#confirm-id").input_value() == GRANDMA
    assert page.locator("#confirm-name").input_value() == "周桂兰"
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector(".helped-row")

    page.fill("#card-number", "HZ0000553")
    page.click("#form-card button[type=submit]")
    # A function, not an expression: the CSP forbids the eval Playwright would use.
    page.wait_for_function("() => document.querySelectorAll('.helped-row').length === 2")

    rows = page.locator(".helped-row")
    assert rows.nth(0).locator(".helped-name").inner_text() == "周*兰"
    assert rows.nth(0).locator(".helped-verdict").inner_text() == "通行"
    assert GRANDPA[-4:] in rows.nth(1).locator(".helped-id").inner_text()
    assert rows.nth(1).locator(".helped-code").inner_text() == "绿码"
    assert page.locator(".stamp-text").inner_text() == "已扫码"
    assert page.locator("#venue-name").inner_text().startswith("地铁2号线文三路站")
    assert "今日已帮扫 2 人" in page.locator("#help-count").inner_text()
    first = page.locator("#clock").inner_text()
    page.wait_for_timeout(1100)
    assert page.locator("#clock").inner_text() != first
    screenshot(page, "help-scan-stacked")
