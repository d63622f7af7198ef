"""CSV and XLSX exports of a stored trace: the JSON's contact rows and exposed venues.

Every cell is text made safe against formula injection (`safe_cell`): id numbers and
venue ids come from other departments' files, so a value like `=HYPERLINK(...)` must
reach the spreadsheet as plain text. XLSX cells are written as strings (data type 's'),
never as formulas. The first line names who exported the data and when.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record_about
from venuecode.cells import safe_cell
from venuecode.errors import InvalidInput
from venuecode.tracing.core import CONTACT_COLUMNS, contact_rows
from venuecode.tracing.models import Trace
from venuecode.tracing.reads import result_persons

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
VENUE_COLUMNS = ("venue", "case", "start", "end", "minutes")


def watermark(exported_by: str, at: datetime, tz: ZoneInfo | None = None) -> str:
    """The first line of every export: who, when (local time), and the purpose limit."""
    when = (at.astimezone(tz) if tz is not None else at).isoformat(timespec="seconds")
    return f"导出人 {exported_by} 导出时间 {when} 仅限疫情防控使用"


def render(result: dict[str, Any], fmt: str, mark: str, title: str = "trace") -> bytes:
    """A trace result (the JSON dict) as CSV or XLSX bytes."""
    if fmt not in FORMATS:
        raise InvalidInput("invalid_format", "导出格式须为 csv 或 xlsx。",
                           f"Export format must be csv or xlsx, not {fmt!r}.")
    return to_csv(result, mark, title) if fmt == "csv" else to_xlsx(result, mark, title)


def venue_rows(result: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for v in result.get("venues", []):
        for iv in v["intervals"]:
            yield (v["venue"], iv["case"], iv["start"], iv["end"], iv["minutes"])


def _cell(value: object) -> str:
    """Cell text: minutes with two decimals, everything formula-safe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2f}"
    return safe_cell(str(value))


def _sections(result: dict[str, Any], mark: str, title: str) -> Iterator[Sequence[object]]:
    yield [mark]
    yield [title, f"as_of {result.get('as_of', '')}"]
    yield []
    yield list(CONTACT_COLUMNS)
    yield from contact_rows(result)
    yield []
    yield ["exposed venues (涉疫场所)"]
    yield list(VENUE_COLUMNS)
    yield from venue_rows(result)


def to_csv(result: dict[str, Any], mark: str, title: str = "trace") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in _sections(result, mark, title):
        writer.writerow([_cell(v) for v in line])
    # A BOM so Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(result: dict[str, Any], mark: str, title: str = "trace") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("trace")
    for line in _sections(result, mark, title):
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=_cell(value))
            # Text, whatever the value looks like (openpyxl guesses "f" for a leading "=").
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_trace(session: Session, row: Trace, fmt: str, actor: Actor, exported_by: str,
                 tz: ZoneInfo | None = None) -> bytes:
    """A stored trace as `fmt` ("csv" or "xlsx"), watermarked and audited TRACE_EXPORTED."""
    result = row.result()
    data = render(result, fmt, watermark(exported_by, clock.now(), tz), f"trace {row.id}")
    # Every person in the file (its contact rows and the cases of its venue rows).
    record_about(session, actor, AuditAction.TRACE_EXPORTED, "trace", row.id,
                 result_persons(result), row.reason, format=fmt, contacts=row.contacts)
    return data
