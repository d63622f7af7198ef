"""A citizen scans a venue, then help-scans two people: one by an ID-card photo (real OCR)
and one by citizen-card number; the stacked result shows both."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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


VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_help_scan_stacks_two_people(browser, live_server: LiveServer, tmp_path, device: str) -> None:  # type: ignore[no-untyped-def]
    phone = PHONE if device == "phone" else "13655500731"  # one number per test and device
    helper = HELPER if device == "phone" else make_id_number("330106", date(1990, 2, 3), 557)
    grandma = GRANDMA if device == "phone" else make_id_number("330106", GRANDMA_BORN, 486)
    grandpa = GRANDPA if device == "phone" else make_id_number("330106", date(1948, 1, 20), 559)
    card = "HZ0000553" if device == "phone" else "HZ0000559"

    def facts(db: Session, now: datetime) -> None:
        for number in (helper, grandma, grandpa):
            f.healthy(db, number, now)
        f.health_code(db, grandpa, "yellow", now - timedelta(hours=1), "时空交集")
        db.add(CitizenCardRecord(card_number=card, id_number=grandpa, source="test",
                                 batch_id=None, received_at=now))

    arrange(live_server, facts)
    photo = tmp_path / "grandma-card.jpg"
    photo.write_bytes(render_id_card("周桂兰", grandma, "女", "汉", GRANDMA_BORN,
                                     "浙江省杭州市西湖区文三路128号3幢502室", rotate=-5.0, jpeg_quality=70))
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    try:
        citizen_scans(page, live_server, phone, "陈帮扫", helper, venue_url(live_server, "HZ-XH-0002"))
        assert page.locator("#verdict").inner_text().replace(" ", "") == "通行"
        page.click("#help-scan")
        page.wait_for_url("**/help/**")
        assert "今日已帮扫 0 人" in page.locator("#help-count").inner_text()
        # Four large choices, no form until one is picked.
        leaves = [page.locator(f"#leaf-{w}").inner_text().split("\n")[0]
                  for w in ("id_photo", "card_number", "health_code_qr", "id_typed")]
        assert leaves == ["身份证OCR识别", "市民卡输入卡号", "健康码扫描健康码", "健康码代办"]
        assert not page.locator("#form-id-photo").is_visible()
        box = page.locator("#leaf-id_photo").bounding_box()
        assert box is not None and box["height"] >= 100  # a large target
        screenshot(page, f"help-scan-clover-{device}")

        page.click("#leaf-id_photo")
        assert page.locator("#form-id-photo").is_visible()
        page.set_input_files("#id-photo", str(photo))
        # Busy while the card is read (3-19 s): the page itself notes, just after the form
        # is sent, whether its button is disabled and what the spinner says (Playwright's
        # own looks stall while the post is out), for the test to read on the next page.
        page.evaluate("""() => document.addEventListener('submit', () => setTimeout(() =>
            sessionStorage.setItem('busy-seen', JSON.stringify([
                document.querySelector('#form-id-photo button[type=submit]').disabled,
                document.querySelector('#form-id-photo .busy-indicator')?.textContent || ''])), 30))""")
        page.click("#form-id-photo button[type=submit]")
        page.wait_for_selector("#confirm-form", timeout=60_000)
        seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('busy-seen') || 'null')")
        assert seen == [True, "正在识别…"], seen
        # The helper sees what was read, editable, before anyone is checked in.
        assert page.locator("#confirm-id").input_value() == grandma
        assert page.locator("#confirm-name").input_value() == "周桂兰"
        page.click("#confirm-form button[type=submit]")
        page.wait_for_selector(".helped-row")
        assert "周*兰 已登记" in page.locator("#flash").inner_text()
        # The next person's form is in view at once.
        assert page.url.endswith("#help-next")
        page.click("#leaf-card_number")
        page.fill("#card-number", card)
        page.click("#form-card button[type=submit]")
        # A function, not an expression: the CSP forbids the eval Playwright would use.
        page.wait_for_function("() => document.querySelectorAll('.helped-row').length === 2")
        page.wait_for_load_state("load")
        # The same way is chosen again, its field has the cursor and is on screen.
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'card-number'",
                               timeout=5_000)
        top = page.evaluate("() => document.getElementById('form-card').getBoundingClientRect().top")
        assert 0 <= top < VIEWPORTS[device]["height"]

        rows = page.locator(".helped-row")
        assert rows.nth(0).locator(".helped-name").inner_text() == "周*兰"
        assert rows.nth(0).locator(".helped-verdict").inner_text() == "通行"
        assert grandpa[-4:] in rows.nth(1).locator(".helped-id").inner_text()
        assert rows.nth(1).locator(".helped-code").inner_text() == "黄码"
        reason = rows.nth(1).locator(".helped-reasons").inner_text()
        assert reason.startswith("此人的健康码是黄码") and "您" not in reason
        assert page.locator(".stamp-text").inner_text() == "已扫码"
        assert page.locator("#venue-name").inner_text().startswith("地铁2号线文三路站")
        assert "今日已帮扫 2 人" in page.locator("#help-count").inner_text()
        first = page.locator("#clock").inner_text()
        page.wait_for_timeout(1100)
        assert page.locator("#clock").inner_text() != first
        screenshot(page, f"help-scan-stacked-{device}")

        # The language switch keeps the list, and words the reason in English.
        page.click("a.lang")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert page.locator(".helped-row").count() == 2
        assert "This person's health code is yellow" in page.locator(".helped-reasons").inner_text()
        page.click("a.lang")
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")

        # 完成, then Back: the venue page, not the browser's form-resubmission error.
        page.click("#help-done")
        page.wait_for_url(f"{live_server.url}/")
        assert "帮扫完成，共 2 人" in page.locator("#flash").inner_text()
        page.go_back()
        page.wait_for_url("**/s/**")
        assert page.locator("#verdict").inner_text().replace(" ", "") == "通行"
        screenshot(page, f"help-scan-back-after-done-{device}")
    finally:
        context.close()
