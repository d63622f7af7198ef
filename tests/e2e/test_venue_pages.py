"""A venue manager and a district admin at work, on a 390-px phone and on a desktop:
apply -> reject -> correct -> resubmit -> approve, the entries of a past day and their
export, the district's volumes of a past day with the chart. Screenshots of each page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import LiveServer, confirm, live_session, screenshot
from venuecode.people.idnumber import make_id_number

pytestmark = pytest.mark.browser

PASSWORD = "venue-pages-e2e-Password-2026"  # a test account's
VIEWPORTS = {
    # name: (viewport, manager's phone, district admin's phone)
    "phone": ({"width": 390, "height": 844}, "13700000111", "13700000112"),
    "desktop": ({"width": 1280, "height": 900}, "13700000121", "13700000122"),
}
TZ = ZoneInfo("Asia/Shanghai")


def sign_in(page: Any, server: LiveServer, phone: str, next_path: str,
            password: str | None = None) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("button[type=submit]")
    if password is not None:
        page.wait_for_url("**/login/password**")
        page.fill("#password", password)
        page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def fits(page: Any, width: int) -> None:
    """No sideways scrolling: the page is no wider than the screen."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width}-px screen"


def arrange_entries(server: LiveServer, venue_id: str, day: datetime) -> None:
    """Three people at the venue on `day`: a scan of the sub-area, a help-scan denied with
    a yellow code, a gate scanner's entry (stored as the check-in pipeline stores them)."""
    from venuecode.scans.models import Checkin, DeniedAttempt
    from venuecode.venues.models import Venue

    engine, db = live_session(server)
    try:
        venue = db.query(Venue).filter(Venue.venue_id == venue_id).one()
        area = venue.sub_areas[0].id
        people = [make_id_number("330106", datetime(1980, 1, 1).date(), n) for n in (611, 612, 613)]
        db.add(Checkin(id_number=people[0], venue_pk=venue.id, sub_area_pk=area, channel="scan",
                       scanned_at=day + timedelta(hours=9)))
        db.add(DeniedAttempt(id_number=people[1], venue_pk=venue.id, channel="help",
                             attempted_at=day + timedelta(hours=10), reasons="health_code_yellow",
                             health_color="yellow"))
        db.add(Checkin(id_number=people[2], venue_pk=venue.id, channel="sentinel",
                       scanned_at=day + timedelta(hours=10, minutes=30)))
        db.commit()
    finally:
        db.close()
        engine.dispose()


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_manager_and_district_admin_on_a_phone_and_a_desktop(
        browser: Any, live_server: LiveServer, screen: str) -> None:
    viewport, manager_phone, admin_phone = VIEWPORTS[screen]
    width = viewport["width"]
    live_server.cli("users", "create", manager_phone, "--role", "venue_manager",
                    "--name", f"店长 {screen}")
    live_server.cli("users", "create", admin_phone, "--role", "district_admin",
                    "--district", "西湖区", "--name", f"西湖区审核 {screen}",
                    "--password", PASSWORD)
    manager_context = browser.new_context(viewport=viewport, locale="zh-CN")
    admin_context = browser.new_context(viewport=viewport, locale="zh-CN")
    manager, admin = manager_context.new_page(), admin_context.new_page()
    try:
        # 1. The manager applies; the district is a choice of the configured ones.
        sign_in(manager, live_server, manager_phone, "/manage/venues")
        manager.goto(f"{live_server.url}/manage/venues/new")
        options = manager.locator("#district option").all_inner_texts()
        assert "西湖区" in options and "上城区" in options and options[0] == "请选择所属区县"
        manager.fill("#name", f"文一路茶馆 {screen}")
        manager.select_option("#category", "restaurant")
        manager.select_option("#district", "西湖区")
        manager.fill("#address", "文一路 1 号")
        manager.fill("#manager_name", "周店长")
        manager.fill("#manager_phone", manager_phone)
        manager.fill("#capacity", "80")
        manager.fill("#sub_areas", "大堂\n包厢")
        fits(manager, width)
        screenshot(manager, f"venue-apply-{screen}")
        manager.click("button[type=submit]")
        manager.wait_for_selector("#flash")
        assert "申请已提交" in manager.locator("#flash").inner_text()
        venue_id = manager.url.split("/manage/venues/")[1].split("?")[0]

        # 2. The district admin sees who applied and rejects, with a reason, after a confirm.
        sign_in(admin, live_server, admin_phone, "/admin/venues", PASSWORD)
        item = admin.locator(f"#venue-{venue_id}")
        for shown in ("周店长", manager_phone, "大堂、包厢", "80"):
            assert shown in item.inner_text(), shown
        fits(admin, width)
        screenshot(admin, f"venue-queue-{screen}")
        item.locator("input[name=reason]").fill("请补充门牌号和楼层")
        item.locator("button.danger").click()
        confirm(admin)  # the confirmation before reject
        admin.wait_for_selector("#flash")
        assert "申请已驳回" in admin.locator("#flash").inner_text()
        admin.goto(f"{live_server.url}/admin/venues?status=rejected")
        assert "请补充门牌号和楼层" in admin.locator(f"#venue-{venue_id}").inner_text()
        fits(admin, width)
        screenshot(admin, f"venue-rejected-tab-{screen}")

        # 3. The manager sees why, corrects the application and sends it again.
        manager.goto(f"{live_server.url}/manage/venues/{venue_id}")
        assert "请补充门牌号和楼层" in manager.locator("#decision-reason").inner_text()
        fits(manager, width)
        screenshot(manager, f"venue-rejected-{screen}")
        manager.click("#edit-link")
        manager.wait_for_url(f"**/manage/venues/{venue_id}/edit")
        assert manager.input_value("#address") == "文一路 1 号"
        assert manager.input_value("#district") == "西湖区"
        manager.fill("#manager_phone", "12")
        manager.click("button[type=submit]")
        assert manager.locator(".error").inner_text().startswith("负责人电话")
        manager.fill("#manager_phone", manager_phone)
        manager.fill("#address", "文一路 1 号 2 楼")
        screenshot(manager, f"venue-edit-{screen}")
        manager.click("button[type=submit]")
        manager.wait_for_selector("#flash")
        assert manager.locator("#venue-status").inner_text() == "待审核"
        assert "重新提交" in manager.locator("#flash").inner_text()

        # 4. Approved: the poster appears, and the history tells the whole story.
        admin.goto(f"{live_server.url}/admin/venues")
        admin.locator(f"#venue-{venue_id} button.approve").click()
        admin.wait_for_selector("#flash")
        manager.goto(f"{live_server.url}/manage/venues/{venue_id}")
        assert manager.locator("#venue-status").inner_text() == "已通过"
        steps = manager.locator("#review-history li").all_inner_texts()
        assert len(steps) == 4 and "请补充门牌号和楼层" in steps[1] and "申请已通过" in steps[3]
        manager.locator("img.poster-preview").wait_for()
        fits(manager, width)
        screenshot(manager, f"venue-approved-{screen}")

        # 5. Entries of yesterday through the date picker, labelled by the date; exported.
        today = datetime.now(TZ).date()
        yesterday = today - timedelta(days=1)
        arrange_entries(live_server, venue_id,
                        datetime.combine(yesterday, datetime.min.time(), tzinfo=TZ))
        manager.click("#entries-link")
        manager.wait_for_url(f"**/manage/venues/{venue_id}/entries")
        assert "今日" in manager.locator("#entries-title").inner_text()
        manager.fill("#day", yesterday.isoformat())
        manager.click("#day-picker button[type=submit]")
        manager.wait_for_url(f"**entries?day={yesterday.isoformat()}")
        title = manager.locator("#entries-title").inner_text()
        assert yesterday.isoformat() in title and "今日" not in title
        manager.locator("#rows tr").nth(2).wait_for()
        table = manager.locator("#rows").inner_text()
        for words in ("扫码", "帮扫", "哨兵", "大堂", "黄码"):
            assert words in table, words
        fits(manager, width)
        screenshot(manager, f"venue-entries-{screen}")
        with manager.expect_download() as download:
            manager.click("#export-csv")
        text = download.value.path().read_text("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[2][:5] == ["时间", "姓名", "身份证号码", "区域", "方式"] and len(lines) == 6
        assert {line[4] for line in lines[3:]} == {"扫码", "帮扫", "哨兵"}
        with manager.expect_download() as download:
            manager.click("#export-xlsx")
        assert download.value.path().read_bytes()[:2] == b"PK"

        # 6. The district's volumes of yesterday, with the chart's axes and labels.
        admin.goto(f"{live_server.url}/admin/district")
        assert "今日" in admin.locator("#district-title").inner_text()
        admin.fill("#day", yesterday.isoformat())
        admin.click("#day-picker button[type=submit]")
        admin.wait_for_url(f"**district?day={yesterday.isoformat()}")
        assert yesterday.isoformat() in admin.locator("#district-title").inner_text()
        chart = admin.locator("figure.chart-box svg")
        assert chart.locator(".axis").count() == 2 and chart.locator(".y-tick").count() >= 2
        assert "时段（本地时间）" in chart.inner_html()
        box = chart.bounding_box()
        assert box is not None and box["width"] <= width and box["height"] > 100
        assert int(admin.locator("#district-total").inner_text()) >= 2
        fits(admin, width)
        screenshot(admin, f"district-volumes-{screen}")
    finally:
        manager_context.close()
        admin_context.close()


def test_a_bad_day_in_the_address_is_answered_in_chinese(browser: Any,
                                                        live_server: LiveServer) -> None:
    phone = "13700000131"
    live_server.cli("users", "create", phone, "--role", "district_admin", "--district", "西湖区",
                    "--password", PASSWORD)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, live_server, phone, "/admin/district", PASSWORD)
        response = page.goto(f"{live_server.url}/admin/district?day=2022-02-30")
        assert response is not None and response.status == 422
        assert page.locator("#day-error").inner_text().startswith("日期：")
        assert datetime.now(UTC).astimezone(TZ).date().isoformat() in page.locator(
            "#day").input_value()
    finally:
        context.close()
