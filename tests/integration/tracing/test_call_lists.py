"""Call lists: the trace page and the exports show names, masked phones, tiers in words,
the first shared venue by name, whole minutes and the district of residence; exports are
Chinese, one XLSX sheet per district, typed; full phones only on request, audited as such."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.integration.tracing.test_api import BODY, tracer
from tests.integration.tracing.test_service import CASE, CLOSE, FORMULA
from tests.support import factories
from venuecode.audit.access_log import entries_for
from venuecode.people.models import Person
from venuecode.tracing.call_list import mask_phone, whole_minutes

__all__ = ["tracer"]  # the fixture, found by pytest as an attribute of this module
GENERAL, SECONDARY = factories.id_number(3), factories.id_number(4)


def registry(db: Session) -> None:
    """CLOSE and GENERAL live in 拱墅区 per the registry; SECONDARY has no district there."""
    at = datetime(2022, 4, 1, tzinfo=UTC)
    for number, name, phone, district in ((CLOSE, "王密接", "13912340002", "拱墅区"),
                                          (GENERAL, "=李一般", "13912340003", "拱墅区"),
                                          (SECONDARY, "赵次密", "13912340004", None)):
        db.add(Person(id_number=number, name=name, phone=phone, district=district,
                      address="湖墅南路 1 号" if district else None, source="gongan",
                      received_at=at))
    db.commit()


@pytest.fixture
def trace_id(client: TestClient, db: Session, tracer: dict[str, str]) -> int:
    registry(db)
    created = client.post("/api/v1/traces", json=BODY, headers=tracer)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_phones_are_masked_and_minutes_whole() -> None:
    assert mask_phone("13912340002") == "139****0002"
    assert whole_minutes(146.9) == 147 and whole_minutes(84.4) == 84


def test_the_page_lists_names_masked_phones_first_venue_and_district(
        client: TestClient, db: Session, tracer: dict[str, str], trace_id: int) -> None:
    page = client.get(f"/tracing/traces/{trace_id}", headers=tracer).text
    assert "王密接" in page and "139****0002" in page and "13912340002" not in page
    assert f"{FORMULA} name" in page.replace("&#34;", '"').replace("&quot;", '"')
    # SECONDARY has no registry district: inferred from the ID number, marked.
    assert "拱墅区" in page and page.count("（推断）") == 1
    by_district = client.get(f"/tracing/traces/{trace_id}?district=拱墅区", headers=tracer).text
    assert "王密接" in by_district and "赵次密" not in by_district
    by_exposure = client.get(f"/tracing/traces/{trace_id}?sort=exposure", headers=tracer).text
    assert by_exposure.index("王密接") < by_exposure.index("赵次密") < by_exposure.index("=李一般")
    by_first = client.get(f"/tracing/traces/{trace_id}?sort=first", headers=tracer).text
    assert by_first.index("王密接") < by_first.index("=李一般")
    bad = client.get(f"/tracing/traces/{trace_id}?sort=name",
                     headers={**tracer, "Accept": "text/html"})
    assert bad.status_code == 422


def test_the_xlsx_has_a_sheet_per_district_in_chinese_with_typed_cells(
        client: TestClient, db: Session, tracer: dict[str, str], trace_id: int) -> None:
    xlsx = client.get(f"/api/v1/traces/{trace_id}/export.xlsx", headers=tracer)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    # The registry's district first, then SECONDARY's, inferred from 330106: 西湖区.
    assert book.sheetnames == ["拱墅区", "西湖区", "涉疫场所"]
    sheet = book["拱墅区"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("导出人 ") and rows[2][:4] == ("区县", "姓名", "身份证号", "电话")
    close = next(r for r in rows if r[2] == CLOSE)
    assert close[1] == "王密接" and close[3] == "139****0002" and close[4] == "密接"
    assert close[6] == "'" + FORMULA + " name"  # formula-safe venue name
    assert isinstance(close[8], datetime) and close[9] == 85 and close[11] == "人口库"
    general = next(r for r in rows if r[2] == GENERAL)
    assert general[1] == "'=李一般" and general[4] == "一般接触"
    secondary_sheet = book["西湖区"]
    secondary = next(r for r in secondary_sheet.iter_rows(values_only=True) if r[2] == SECONDARY)
    assert secondary[11] == "按身份证号推断" and secondary[4] == "次密接"
    venues = list(book["涉疫场所"].iter_rows(values_only=True))
    assert venues[1] == ("场所", "场所编号", "地址", "病例身份证号", "起", "止", "时长（分钟）")
    assert any(r[3] == CASE and isinstance(r[4], datetime) for r in venues[2:])


def test_full_phones_only_on_request_and_the_persons_see_it_in_their_log(
        client: TestClient, db: Session, tracer: dict[str, str], trace_id: int) -> None:
    masked = client.get(f"/api/v1/traces/{trace_id}/export.csv", headers=tracer)
    assert "13912340002" not in masked.content.decode("utf-8-sig")
    full = client.get(f"/api/v1/traces/{trace_id}/export.csv?phones=full&district=拱墅区",
                      headers=tracer)
    text = full.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0].startswith("导出人 ") and "导出时间" in lines[0][0]
    numbers = {line[2] for line in lines[4:] if len(line) > 2 and line[0] == "拱墅区"}
    assert numbers == {CLOSE, GENERAL} and "13912340002" in text
    assert "trace.exported_with_phones" in {e.action for e in entries_for(db, CLOSE)}
    assert "trace.exported_with_phones" not in {e.action for e in entries_for(db, SECONDARY)}
    assert client.get(f"/api/v1/traces/{trace_id}/export.csv?phones=all",
                      headers=tracer).status_code == 422


def test_the_contacts_csv_has_the_documented_exchange_columns(
        client: TestClient, db: Session, tracer: dict[str, str], trace_id: int) -> None:
    exported = client.get(f"/api/v1/traces/{trace_id}/export.contacts.csv", headers=tracer)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    close = next(r for r in rows if r["contact_id"] == CLOSE)
    assert (close["last_name"], close["first_name"]) == ("王", "密接")
    assert close["contact_category"] == "HIGH_RISK" and close["source_case_id"] == CASE
    assert close["phone"] == "139****0002" and close["exposure_minutes"] == "85"
    assert close["sex"] in ("MALE", "FEMALE") and len(close["date_of_birth"]) == 10
    assert client.get(f"/api/v1/traces/{trace_id}/export.pdf", headers=tracer).status_code == 422
