"""A venue's entries of one day as CSV or XLSX, streamed, masked, formula-safe, audited.

The file holds what the entries page shows (names and ID numbers masked), every row of
the day rather than the page's latest 500. Each person in it sees the export in their
access log (`venue.entries_exported`, one event with the persons as its subjects), and
the first line names who exported it and when, as tracing's exports do. Every cell is text
(`safe_cell`; XLSX cells typed as strings), so a name like `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record_about
from venuecode.cells import safe_cell
from venuecode.scans import words as w
from venuecode.scans.views import EntryRow, day_persons, day_rows
from venuecode.venues.models import Venue

Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CHUNK = 1 << 16


def audit_export(session: Session, actor: Actor, venue: Venue, day: date, tz: ZoneInfo,
                 fmt: str) -> int:
    """One event for the export, each person of the day its subject; the persons count."""
    persons = day_persons(session, venue, day, tz)
    record_about(session, actor, AuditAction.VENUE_ENTRIES_EXPORTED, "venue", venue.venue_id,
                 persons, day=day.isoformat(), format=fmt)
    return len(persons)


def heading(venue: Venue, day: date, exported_by: str, tz: ZoneInfo, locale: str) -> list[str]:
    when = clock.now().astimezone(tz).isoformat(timespec="seconds")
    if locale.startswith("zh"):
        return [f"{venue.name}（{venue.venue_id}）{day.isoformat()} 进场记录",
                f"导出人 {exported_by} 导出时间 {when} 仅限疫情防控使用"]
    return [f"{venue.name} ({venue.venue_id}) entries of {day.isoformat()}",
            f"Exported by {exported_by} at {when}; for epidemic control only"]


def cells(row: EntryRow, tz: ZoneInfo, locale: str) -> list[str]:
    values = [
        row.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), row.name, row.id_number,
        row.sub_area or "", w.word(w.CHANNELS, row.channel, locale),
        w.word(w.DECISIONS, row.decision, locale), w.word(w.COLORS, row.color, locale),
        ("、" if locale.startswith("zh") else "; ").join(
            w.word(w.REASONS, r, locale) for r in row.reasons),
    ]
    return [safe_cell(v) for v in values]


def _lines(pages: Iterator[list[EntryRow]], tz: ZoneInfo, locale: str,
           top: list[str]) -> Iterator[list[list[str]]]:
    index = 0 if locale.startswith("zh") else 1
    yield [[safe_cell(t)] for t in top] + [[c[index] for c in w.COLUMNS]]
    for page in pages:
        yield [cells(r, tz, locale) for r in page]


def stream(session: Session, venue: Venue, day: date, tz: ZoneInfo, locale: str,
           exported_by: str, fmt: str) -> Iterator[bytes]:
    """The file's bytes, a page of rows at a time (the audit event is written first)."""
    top = heading(venue, day, exported_by, tz, locale)
    lines = _lines(day_rows(session, venue, day, tz), tz, locale, top)
    return _csv(lines) if fmt == "csv" else _xlsx(lines)


def _csv(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    yield "\ufeff".encode()  # the BOM: Excel then reads the file as UTF-8
    for rows in pages:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        yield buffer.getvalue().encode("utf-8")


def _xlsx(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    # Write-only: openpyxl keeps rows in its own temporary file, not in memory; the
    # finished file is then sent in chunks.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("entries")
    for rows in pages:
        for values in rows:
            row = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, whatever it looks like (never "f", a formula)
                row.append(cell)
            sheet.append(row)
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(_CHUNK):
            yield chunk


def filename(venue: Venue, day: date, fmt: str) -> str:
    return f"entries-{venue.venue_id}-{day.isoformat()}.{fmt}"


def exported_by(real_name: str | None, user_id: int) -> str:
    return f"{real_name or ''} user:{user_id}".strip()
