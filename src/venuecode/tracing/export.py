"""CSV and XLSX exports of a stored trace: call lists in Chinese, one per district.

The call list (`call_list.CallRow`) is what a district's call team works from: names,
phones, tiers in words, the first shared venue by name and address, first contact time,
exposure in whole minutes, and the district of residence. XLSX has one sheet per district
(plus the exposed venues), with numbers and times typed; CSV is one file sorted by
district, or one district's file with `district=`. Phones are masked unless the caller
may reveal them and asks for them; then the export is audited as such, per person.

Every text cell is made safe against formula injection (`safe_cell`): names, addresses
and venue ids come from other departments' files, so a value like `=HYPERLINK(...)` must
reach the spreadsheet as plain text; XLSX text cells are strings (data type 's'), never
formulas. The first line names who exported the data and when.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record_about
from venuecode.cells import safe_cell
from venuecode.errors import InvalidInput
from venuecode.people.idnumber import IdNumberError, parse_id_number
from venuecode.tracing.call_list import (
    CallRow,
    by_district,
    call_rows,
    places,
    registered,
    sorted_rows,
)
from venuecode.tracing.models import Trace

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CALL_COLUMNS = ("区县", "姓名", "身份证号", "电话", "类别", "传播来源（病例身份证号）",
                "首次共同场所", "场所地址", "首次接触时间", "暴露时长（分钟）", "住址", "区县来源")
VENUE_COLUMNS = ("场所", "场所编号", "地址", "病例身份证号", "起", "止", "时长（分钟）")
REGISTRY, INFERRED = "人口库", "按身份证号推断"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# Go.Data / SORMAS-style contact import columns (documented in docs/tracing-ui.md).
CONTACT_EXCHANGE_COLUMNS = (
    "contact_id", "last_name", "first_name", "sex", "date_of_birth", "phone", "district",
    "district_inferred", "address", "contact_classification", "contact_category",
    "source_case_id", "last_contact_date", "first_contact_venue", "exposure_minutes",
)
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def watermark(exported_by: str, at: datetime, tz: ZoneInfo | None = None) -> str:
    """The first line of every export: who, when (local time), and the purpose limit."""
    when = (at.astimezone(tz) if tz is not None else at).isoformat(timespec="seconds")
    return f"导出人 {exported_by} 导出时间 {when} 仅限疫情防控使用"


def render(session: Session, result: dict[str, Any], fmt: str, mark: str, tz: ZoneInfo,
           title: str = "流调") -> bytes:
    """A trace result as CSV or XLSX bytes with masked phones (the CLI's `--format`)."""
    rows = sorted_rows(trace_rows(session, result, tz), "tier")
    if fmt == "csv":
        return to_csv(result, rows, mark, tz, False, title, _all_venue_names(session, result))
    if fmt == "xlsx":
        return to_xlsx(result, rows, mark, tz, False, title, _all_venue_names(session, result))
    raise InvalidInput("invalid_format", "导出格式须为 csv 或 xlsx。",
                       f"Export format must be csv or xlsx, not {fmt!r}.")


def call_line(row: CallRow, full_phones: bool) -> list[object]:
    return [row.district, row.name, row.id_number, row.phone if full_phones else row.masked_phone,
            row.tier_label, row.source, row.venue_name, row.venue_address, row.first_contact,
            row.exposure_minutes, row.address, INFERRED if row.district_inferred else REGISTRY]


def venue_lines(result: dict[str, Any], names: dict[str, tuple[str, str]],
                tz: ZoneInfo) -> Iterator[list[object]]:
    for v in result.get("venues", []):
        name, address = names.get(v["venue"], (v["venue"], ""))
        for iv in v["intervals"]:
            yield [name, v["venue"], address, iv["case"], _local(iv["start"], tz),
                   _local(iv["end"], tz), int(float(iv["minutes"]) + 0.5)]


def _local(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(tz).replace(tzinfo=None)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return safe_cell(str(value))


def to_csv(result: dict[str, Any], rows: Sequence[CallRow], mark: str, tz: ZoneInfo,
           full_phones: bool = False, title: str = "流调",
           venue_names: dict[str, tuple[str, str]] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def line(values: Sequence[object]) -> None:
        writer.writerow([_text(v) for v in values])

    line([mark])
    line([title, f"截止 {_local(result['as_of'], tz):%Y-%m-%d %H:%M}" if result.get("as_of") else ""])
    line([])
    line(CALL_COLUMNS)
    for group in by_district(rows).values():
        for row in group:
            line(call_line(row, full_phones))
    line([])
    line(["涉疫场所"])
    line(VENUE_COLUMNS)
    for values in venue_lines(result, venue_names or {}, tz):
        line(values)
    # A BOM so Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _typed(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = TIME_FORMAT
        return cell
    if isinstance(value, int) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=_text(value))
    # Text, whatever the value looks like (openpyxl guesses "f" for a leading "=").
    cell.data_type = "s"
    return cell


def sheet_name(district: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = _SHEET_BAD.sub("_", district).strip("'") or "未知区县"
    name, n = base[:31], 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def to_xlsx(result: dict[str, Any], rows: Sequence[CallRow], mark: str, tz: ZoneInfo,
            full_phones: bool = False, title: str = "流调",
            venue_names: dict[str, tuple[str, str]] | None = None) -> bytes:
    book = Workbook(write_only=True)
    taken: set[str] = set()
    groups = by_district(rows) or {"无风险人员": []}
    for district, group in groups.items():
        sheet = book.create_sheet(sheet_name(district, taken))
        sheet.append([_typed(sheet, mark)])
        sheet.append([_typed(sheet, f"{title} · {district} · {len(group)} 人")])
        sheet.append([_typed(sheet, c) for c in CALL_COLUMNS])
        for row in group:
            sheet.append([_typed(sheet, v) for v in call_line(row, full_phones)])
    sheet = book.create_sheet(sheet_name("涉疫场所", taken))
    sheet.append([_typed(sheet, mark)])
    sheet.append([_typed(sheet, c) for c in VENUE_COLUMNS])
    for values in venue_lines(result, venue_names or {}, tz):
        sheet.append([_typed(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exchange_csv(rows: Sequence[CallRow], full_phones: bool = False) -> bytes:
    """Contacts in the Go.Data/SORMAS import style: one row per contact, English keys."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTACT_EXCHANGE_COLUMNS)
    for row in sorted_rows(rows, "tier"):
        try:
            parsed = parse_id_number(row.id_number)
            sex, born = ("MALE" if parsed.male else "FEMALE"), parsed.birth_date.isoformat()
        except IdNumberError:
            sex, born = "UNKNOWN", ""
        general = row.tier == "general"
        values = [
            row.id_number, row.name[:1], row.name[1:], sex, born,
            row.phone if full_phones else row.masked_phone, row.district,
            "true" if row.district_inferred else "false", row.address,
            "CONFIRMED" if not general else "UNCONFIRMED",
            "LOW_RISK" if general else "HIGH_RISK", row.source,
            row.first_contact.date().isoformat() if row.first_contact else "",
            row.venue_name, row.exposure_minutes]
        writer.writerow([_text(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def trace_rows(session: Session, result: dict[str, Any], tz: ZoneInfo) -> list[CallRow]:
    """The call rows of a stored result, with the registry's and the venues' names."""
    contacts = result.get("contacts", [])
    people = registered(session, (c["id_number"] for c in contacts))
    venue_ids = {e["venue"] for c in contacts for e in c.get("evidence", ())}
    venue_ids.update(v["venue"] for v in result.get("venues", []))
    return call_rows(contacts, people, places(session, venue_ids), tz)


def export_trace(session: Session, row: Trace, fmt: str, actor: Actor, exported_by: str,
                 tz: ZoneInfo, full_phones: bool = False, district: str = "") -> bytes:
    """A stored trace as `fmt` ("csv", "xlsx" or "contacts.csv"), watermarked and audited:
    `trace.exported`, or `trace.exported_with_phones` when it carries full phone numbers,
    about every person in the file."""
    result = row.result()
    rows = trace_rows(session, result, tz)
    if district:
        rows = [r for r in rows if r.district == district]
    mark = watermark(exported_by, clock.now(), tz)
    venue_info = _all_venue_names(session, result)
    if fmt == "contacts.csv":
        data = exchange_csv(rows, full_phones)
    elif fmt == "csv":
        data = to_csv(result, sorted_rows(rows, "tier"), mark, tz, full_phones,
                      f"流调 #{row.id}", venue_info)
    elif fmt == "xlsx":
        data = to_xlsx(result, sorted_rows(rows, "tier"), mark, tz, full_phones,
                       f"流调 #{row.id}", venue_info)
    else:
        raise InvalidInput("invalid_format", "导出格式须为 csv、xlsx 或 contacts.csv。",
                           f"Export format must be csv, xlsx or contacts.csv, not {fmt!r}.")
    # Every person in the file: its contact rows and their sources, and (CSV, XLSX) the
    # cases of its venue rows.
    persons = [r.id_number for r in rows] + [r.source for r in rows]
    if fmt != "contacts.csv":
        persons += [iv["case"] for v in result.get("venues", []) for iv in v["intervals"]]
    action = AuditAction.TRACE_EXPORTED_WITH_PHONES if full_phones else AuditAction.TRACE_EXPORTED
    record_about(session, actor, action, "trace", row.id, persons, row.reason, format=fmt,
                 contacts=len(rows), district=district, phones="full" if full_phones else "masked")
    return data


def _all_venue_names(session: Session, result: dict[str, Any]) -> dict[str, tuple[str, str]]:
    found = places(session, (v["venue"] for v in result.get("venues", [])))
    return {venue_id: (p.name, p.address) for venue_id, p in found.items()}
