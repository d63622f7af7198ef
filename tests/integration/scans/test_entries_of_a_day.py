"""A venue's entries of any day, with how each person came in and where, exported as CSV
or XLSX (masked, formula-safe, audited per person); a district's volumes of any day."""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.models import Person, User
from venuecode.scans.store import Attempt, SqlCheckinStore
from venuecode.scans.views import hour_chart_svg, nice_ticks
from venuecode.venues import service as venues

HTML = {"accept": "text/html"}
YESTERDAY = "2022-04-18"  # the clock fixture's day is 2022-04-19 (16:00 in Asia/Shanghai)


def bound_citizen(client: TestClient, settings: Settings, db: Session, n: int, name: str,
                  now) -> tuple[dict[str, str], str]:  # type: ignore[no-untyped-def]
    headers = sign_in(client, settings, factories.phone())
    number = factories.id_number(n)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": name},
                      headers=headers).status_code == 200
    f.healthy(db, number, now)
    db.commit()
    return headers, number


@pytest.fixture
def world(client: TestClient, db: Session, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    """Yesterday at one venue: a citizen's own scan of the 包厢 A code, a help-scan of
    someone denied with a yellow code, and a gate scanner's entry; one scan today."""
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager, venue_id="HZ-DAY1", sub_areas=["包厢 A"])
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    area_token = venues.sub_area_token(signer, venue, venue.sub_areas[0]) or ""
    venue_token = venues.venue_token(signer, venue) or ""

    today = clock.now()
    clock.set(today - timedelta(days=1))
    yesterday = clock.now()
    own, scanner = bound_citizen(client, settings, db, 301, "张小三", yesterday)
    assert client.post("/api/v1/scans", json={"venue_code": signer.url(area_token)},
                       headers=own).status_code == 201
    helper, _ = bound_citizen(client, settings, db, 302, "王帮", yesterday)
    helped = factories.id_number(303)
    f.healthy(db, helped, yesterday)
    f.health_code(db, helped, "yellow", yesterday - timedelta(hours=1))
    db.commit()
    response = client.post("/api/v1/scans/help", headers=helper, json={
        "venue_code": venue_token,
        "persons": [{"method": "id_typed", "id_number": helped, "name": "李大爷"}]})
    assert response.status_code == 201, response.text
    gate = factories.id_number(304)
    SqlCheckinStore(db.connection()).add_checkin(
        Attempt(gate, venue.id, None, yesterday + timedelta(minutes=5), "sentinel"))
    db.commit()
    clock.set(today)
    now_headers, later = bound_citizen(client, settings, db, 305, "赵今", today)
    assert client.post("/api/v1/scans", json={"venue_code": signer.url(venue_token)},
                       headers=now_headers).status_code == 201
    # The registry names the gate's person with what a spreadsheet would run as a formula
    # (added last: an empty registry is what lets the test citizens bind without proof).
    db.add(Person(id_number=gate, name="=HYPERLINK(1)", phone=None, received_at=today,
                  source="test", batch_id=None))
    db.commit()
    headers = sign_in(client, settings, manager.phone)
    return {"manager": manager, "headers": headers, "persons": {scanner, helped, gate},
            "today_person": later, "scanner": (own, scanner)}


def test_a_past_day_is_shown_with_channel_and_sub_area_and_labelled_by_its_date(
        client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    headers = world["headers"]
    body = client.get(f"/api/v1/venues/HZ-DAY1/entries?day={YESTERDAY}", headers=headers).json()
    assert body["day"] == YESTERDAY
    assert sorted((r["channel"], r["decision"], r["sub_area"]) for r in body["rows"]) == [
        ("help", "deny", None), ("scan", "pass", "包厢 A"), ("sentinel", "pass", None)]
    assert body["counts"]["entries"] == 2 and body["counts"]["yellow"] == 1
    today = client.get("/api/v1/venues/HZ-DAY1/entries", headers=headers).json()
    assert [r["channel"] for r in today["rows"]] == ["scan"]

    page = client.get(f"/manage/venues/HZ-DAY1/entries?day={YESTERDAY}",
                      headers={**headers, **HTML}).text
    title = page.split('id="entries-title">')[1].split("</h1>")[0]
    assert f"{YESTERDAY} 进场记录" in title and "今日" not in title
    assert f'value="{YESTERDAY}"' in page and 'data-live="no"' in page
    assert f"entries?day={YESTERDAY}" in page and f"export.csv?day={YESTERDAY}" in page
    # The page's script gets the words for the codes, never shows the codes themselves.
    words = json.loads(html.unescape(page.split("data-words='")[1].split("'")[0]))
    assert words["channels"] == {"scan": "扫码", "help": "帮扫", "sentinel": "哨兵", "import": "导入"}
    assert words["reasons"]["health_code_yellow"] == "黄码"
    now = client.get("/manage/venues/HZ-DAY1/entries", headers={**headers, **HTML}).text
    assert "今日进场记录" in now.split('id="entries-title">')[1] and 'data-live="yes"' in now


@pytest.mark.parametrize("bad", ["yesterday", "2022-13-01", "1999-12-31"])
def test_a_bad_day_is_refused_naming_the_field(client: TestClient, world, bad: str) -> None:  # type: ignore[no-untyped-def]
    headers = world["headers"]
    page = client.get(f"/manage/venues/HZ-DAY1/entries?day={bad}", headers={**headers, **HTML})
    assert page.status_code == 422 and "日期：" in page.text and "不是有效日期" in page.text
    api = client.get(f"/api/v1/venues/HZ-DAY1/entries/export.csv?day={bad}", headers=headers)
    assert api.status_code == 422 and "day" in api.text


def _exports(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(
        AuditEvent.action == "venue.entries_exported")))


def test_the_csv_export_holds_the_day_masked_formula_safe_and_is_audited_per_person(
        client: TestClient, db: Session, world) -> None:  # type: ignore[no-untyped-def]
    headers = world["headers"]
    response = client.get(f"/api/v1/venues/HZ-DAY1/entries/export.csv?day={YESTERDAY}",
                          headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"entries-HZ-DAY1-{YESTERDAY}.csv" in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0].endswith(f"{YESTERDAY} 进场记录")
    assert lines[1][0].startswith("导出人 ") and "仅限疫情防控使用" in lines[1][0]
    assert lines[2] == ["时间", "姓名", "身份证号码", "区域", "方式", "结果", "健康码", "原因"]
    rows = lines[3:]
    assert sorted((r[4], r[5], r[3]) for r in rows) == [
        ("哨兵", "通行", ""), ("帮扫", "禁止通行", ""), ("扫码", "通行", "包厢 A")]
    for person in world["persons"]:
        assert person not in response.text  # masked, as on the page
    denied = next(r for r in rows if r[4] == "帮扫")
    assert denied[6] == "黄码" and "黄码" in denied[7]
    assert all(r[0].startswith(YESTERDAY) for r in rows)
    # Every cell is text in a spreadsheet: a name typed as a formula stays a name.
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in lines for cell in r)
    gate = next(r for r in rows if r[4] == "哨兵")
    assert gate[1] == "'=***********)"

    (event,) = _exports(db)
    assert event.subject_id == "HZ-DAY1" and '"day": "2022-04-18"' in event.details.replace(
        '":"', '": "')
    subjects = set(db.scalars(select(AuditSubject.id_number).where(
        AuditSubject.event_id == event.id)))
    assert subjects == world["persons"]  # each person in the file, nobody else

    own, _ = world["scanner"]
    log = client.get("/api/v1/me/access-log", headers=own).json()
    assert log[0]["action"] == "venue.entries_exported"
    assert log[0]["what"] == "列有您的场所进出记录被场所导出为文件"


def test_the_xlsx_export_is_text_only(client: TestClient, db: Session, world) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/venues/HZ-DAY1/entries/export.xlsx?day={YESTERDAY}",
                          headers=world["headers"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][:5] == ["时间", "姓名", "身份证号码", "区域", "方式"]
    assert len(values) == 3 + 3
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    assert len(_exports(db)) == 1


def test_an_export_by_someone_else_is_refused_and_not_audited(
        client: TestClient, db: Session, settings: Settings, world) -> None:  # type: ignore[no-untyped-def]
    other: User = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    stranger = sign_in(client, settings, other.phone)
    assert client.get("/api/v1/venues/HZ-DAY1/entries/export.csv",
                      headers=stranger).status_code == 403
    bad = client.get("/api/v1/venues/HZ-DAY1/entries/export.pdf", headers=world["headers"])
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "fmt"
    assert db.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "venue.entries_exported")) == 0


def test_district_volumes_of_a_past_day_with_a_chart_with_axes(
        client: TestClient, db: Session, settings: Settings, world) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user(db, Role.DISTRICT_ADMIN, district="西湖区")
    db.commit()
    headers = sign_in(client, settings, admin.phone, factories.PASSWORD)
    body = client.get(f"/api/v1/district/volumes?day={YESTERDAY}", headers=headers).json()
    assert sum(body["hours"]) == 2
    page = client.get(f"/admin/district?day={YESTERDAY}", headers={**headers, **HTML})
    assert page.status_code == 200
    text = page.text
    title = text.split('id="district-title">')[1].split("</h1>")[0]
    assert YESTERDAY in title and "今日" not in title
    assert f'value="{YESTERDAY}"' in text and 'id="day-next"' in text
    assert 'id="district-total">2<' in text
    chart = text.split("<svg")[1].split("</svg>")[0]
    assert 'class="axis"' in chart and 'class="y-tick"' in chart and 'class="x-tick"' in chart
    assert "时段（本地时间）" in chart and "进场" in chart
    bad = client.get("/admin/district?day=2022-02-30", headers={**headers, **HTML})
    assert bad.status_code == 422 and "日期：" in bad.text


def test_the_chart_has_round_ticks_titled_axes_and_a_bar_per_hour() -> None:
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(37) == [0, 10, 20, 30, 40]
    assert nice_ticks(1234) == [0, 500, 1000, 1500]
    hours = [0] * 24
    hours[8], hours[18] = 37, 12
    svg = hour_chart_svg(hours)
    assert svg.count('class="bar"') == 24 and svg.count('class="y-tick"') == 5
    assert svg.count('class="x-tick"') == 8 and "08:00–09:00 37" in svg
    assert "Hour (local time)" in svg and "<script" not in svg


def test_a_system_admin_keeps_the_district_while_picking_a_day(
        client: TestClient, db: Session, settings: Settings, world) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    headers = sign_in(client, settings, admin.phone, factories.PASSWORD)
    page = client.get(f"/admin/district?district=西湖区&day={YESTERDAY}",
                      headers={**headers, **HTML}).text
    assert '<input type="hidden" name="district" value="西湖区">' in page
    assert "day=2022-04-17&district=%E8%A5%BF%E6%B9%96%E5%8C%BA" in page
    assert 'id="district-total">2<' in page
