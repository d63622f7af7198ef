"""Read models for staff: today's entries at a venue (masked) and district scan volumes."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, func, select, tuple_, type_coerce, union
from sqlalchemy.orm import Session

from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.people.models import Person, User
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.timeutil import to_micros
from venuecode.venues.models import Venue


def _pairs(rows: Iterable[Any]) -> dict[Any, Any]:
    """Two-column rows as a dict (Result has .keys(), so dict(result) would misread it)."""
    return {key: value for key, value in rows}


def local_day(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class EntryRow:
    at: datetime
    name: str
    id_number: str
    sub_area: str | None
    decision: str
    color: str | None
    reasons: list[str]
    # How the person was checked in: scan (扫码) | help (帮扫) | sentinel (哨兵) | import
    channel: str = "scan"


def _names(session: Session, numbers: set[str]) -> dict[str, str]:
    """Registry names, else the name bound to an account; never shown unmasked to staff."""
    if not numbers:
        return {}
    names = _pairs(session.execute(select(User.id_number, User.real_name)
                                 .where(User.id_number.in_(numbers))))
    names.update(_pairs(session.execute(select(Person.id_number, Person.name)
                                        .where(Person.id_number.in_(numbers)))))
    return {k: v for k, v in names.items() if k is not None and v is not None}


def venue_day(session: Session, venue: Venue, day: date, tz: ZoneInfo, limit: int = 500
              ) -> tuple[dict[str, int], list[EntryRow]]:
    start, end = local_day(day, tz)
    areas = {a.id: a.name for a in venue.sub_areas}
    entries = session.execute(
        select(Checkin.scanned_at, Checkin.id_number, Checkin.sub_area_pk, Checkin.channel)
        .where(Checkin.venue_pk == venue.id, Checkin.scanned_at >= start,
               Checkin.scanned_at < end).order_by(Checkin.scanned_at.desc()).limit(limit)
    ).all()
    denied = session.execute(
        select(DeniedAttempt.attempted_at, DeniedAttempt.id_number, DeniedAttempt.sub_area_pk,
               DeniedAttempt.health_color, DeniedAttempt.reasons, DeniedAttempt.channel)
        .where(DeniedAttempt.venue_pk == venue.id, DeniedAttempt.attempted_at >= start,
               DeniedAttempt.attempted_at < end)
        .order_by(DeniedAttempt.attempted_at.desc()).limit(limit)
    ).all()
    entry_total = session.scalar(select(func.count(Checkin.id)).where(
        Checkin.venue_pk == venue.id, Checkin.scanned_at >= start, Checkin.scanned_at < end)) or 0
    colors = _pairs(session.execute(
        select(DeniedAttempt.health_color, func.count(DeniedAttempt.id))
        .where(DeniedAttempt.venue_pk == venue.id, DeniedAttempt.attempted_at >= start,
               DeniedAttempt.attempted_at < end).group_by(DeniedAttempt.health_color)))
    denied_green = colors.get("green", 0)
    counts = {
        "entries": entry_total,
        # Every entry passed the policy with a green code; green denials (expired test…)
        # are counted apart.
        "green": entry_total,
        "yellow": colors.get("yellow", 0),
        "red": colors.get("red", 0),
        "denied": sum(colors.values()),
        "denied_green": denied_green,
    }
    names = _names(session, {e.id_number for e in entries} | {d.id_number for d in denied})
    rows = [EntryRow(e.scanned_at, mask_name(names.get(e.id_number, "")),
                     mask_id_number(e.id_number), areas.get(e.sub_area_pk or -1), "pass",
                     "green", [], e.channel) for e in entries]
    rows += [EntryRow(d.attempted_at, mask_name(names.get(d.id_number, "")),
                      mask_id_number(d.id_number), areas.get(d.sub_area_pk or -1), "deny",
                      d.health_color, [r for r in d.reasons.split(",") if r], d.channel)
             for d in denied]
    rows.sort(key=lambda r: r.at, reverse=True)
    return counts, rows[:limit]


def day_persons(session: Session, venue: Venue, day: date, tz: ZoneInfo) -> list[str]:
    """Everyone in the venue's entries and denials of the day: an export's audit subjects."""
    start, end = local_day(day, tz)
    entered = select(Checkin.id_number).where(
        Checkin.venue_pk == venue.id, Checkin.scanned_at >= start, Checkin.scanned_at < end)
    denied = select(DeniedAttempt.id_number).where(
        DeniedAttempt.venue_pk == venue.id, DeniedAttempt.attempted_at >= start,
        DeniedAttempt.attempted_at < end)
    return list(session.scalars(union(entered, denied)))


def day_rows(session: Session, venue: Venue, day: date, tz: ZoneInfo, page: int = 5000
             ) -> Iterator[list[EntryRow]]:
    """All of the day's entries then denials, oldest first, masked, a page at a time.

    Read by key (time, id) page after page, each read ending its transaction, so a busy
    station's day streams with flat memory and no lock held while the client downloads."""
    start, end = local_day(day, tz)
    # Read now: the pages are read later, while the response streams.
    areas = {a.id: a.name for a in venue.sub_areas}
    return _pages(session, venue.id, start, end, areas, page)


def _pages(session: Session, venue_pk: int, start: datetime, end: datetime,
           areas: dict[int, str], page: int) -> Iterator[list[EntryRow]]:
    for table, at in ((Checkin, Checkin.scanned_at), (DeniedAttempt, DeniedAttempt.attempted_at)):
        last: tuple[datetime, int] | None = None
        while True:
            query = select(table).where(table.venue_pk == venue_pk, at >= start, at < end)
            if last is not None:
                query = query.where(tuple_(at, table.id) > tuple_(*last))
            found = session.execute(
                query.with_only_columns(*_export_columns(table)).order_by(at, table.id)
                .limit(page)).all()
            names = _names(session, {r.id_number for r in found})
            session.rollback()  # ends the read (the route committed its audit event first)
            if found:
                yield [_export_row(r, table is Checkin, names, areas) for r in found]
            if len(found) < page:
                break
            last = (found[-1].at, found[-1].id)


def _export_columns(table: type[Checkin] | type[DeniedAttempt]) -> tuple[Any, ...]:
    if table is Checkin:
        return (Checkin.id, Checkin.scanned_at.label("at"), Checkin.id_number,
                Checkin.sub_area_pk, Checkin.channel)
    return (DeniedAttempt.id, DeniedAttempt.attempted_at.label("at"), DeniedAttempt.id_number,
            DeniedAttempt.sub_area_pk, DeniedAttempt.channel, DeniedAttempt.health_color,
            DeniedAttempt.reasons)


def _export_row(r: Any, passed: bool, names: dict[str, str], areas: dict[int, str]) -> EntryRow:
    name, number = mask_name(names.get(r.id_number, "")), mask_id_number(r.id_number)
    area = areas.get(r.sub_area_pk or -1)
    if passed:
        return EntryRow(r.at, name, number, area, "pass", "green", [], r.channel)
    return EntryRow(r.at, name, number, area, "deny", r.health_color,
                    [x for x in r.reasons.split(",") if x], r.channel)


@dataclass(frozen=True)
class DistrictVolume:
    venue_id: str
    name: str
    category: str
    entries: int
    denied: int


def district_day(session: Session, district: str, day: date, tz: ZoneInfo
                 ) -> tuple[list[DistrictVolume], list[int]]:
    """Per-venue counts for the day and the district's entries per local hour (24 values)."""
    start, end = local_day(day, tz)
    entry_counts = _pairs(session.execute(
        select(Checkin.venue_pk, func.count(Checkin.id)).join(Venue, Venue.id == Checkin.venue_pk)
        .where(Venue.district == district, Checkin.scanned_at >= start, Checkin.scanned_at < end)
        .group_by(Checkin.venue_pk)))
    denied_counts = _pairs(session.execute(
        select(DeniedAttempt.venue_pk, func.count(DeniedAttempt.id))
        .join(Venue, Venue.id == DeniedAttempt.venue_pk)
        .where(Venue.district == district, DeniedAttempt.attempted_at >= start,
               DeniedAttempt.attempted_at < end)
        .group_by(DeniedAttempt.venue_pk)))
    venues = session.execute(select(Venue.id, Venue.venue_id, Venue.name, Venue.category)
                             .where(Venue.district == district, Venue.status == "approved")
                             .order_by(Venue.venue_id)).all()
    volumes = [DistrictVolume(v.venue_id, v.name, v.category, entry_counts.get(v.id, 0),
                              denied_counts.get(v.id, 0)) for v in venues]
    volumes.sort(key=lambda v: v.entries, reverse=True)
    # Hour buckets in SQL on the integer instants: integer division on both databases.
    raw = type_coerce(Checkin.scanned_at, BigInteger)
    bucket = ((raw - to_micros(start)) // 3_600_000_000).label("h")
    hours = [0] * 24
    rows = session.execute(
        select(bucket, func.count(Checkin.id))
        .join(Venue, Venue.id == Checkin.venue_pk)
        .where(Venue.district == district, Checkin.scanned_at >= start, Checkin.scanned_at < end)
        .group_by("h")).all()
    for h, n in rows:
        index = int(h)
        if 0 <= index < 24:
            hours[index] += int(n)
    return volumes, hours


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words in the page's language (escaped here, so any text is safe)."""

    title: str = "Entries per hour"
    x_axis: str = "Hour (local time)"
    y_axis: str = "Entries"


def nice_ticks(top: int, most: int = 5) -> list[int]:
    """0 and round steps (1, 2, 5 × 10ⁿ) up to the first at or above `top`, at most
    `most` steps: the y axis reads 0, 50, 100, 150 rather than 0, 37, 74, 111."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if candidate * most >= top:
                count = max(1, -(-top // candidate))
                return [candidate * i for i in range(count + 1)]
        step *= 10


def hour_chart_svg(hours: list[int], labels: ChartLabels | None = None,
                   width: int = 400, height: int = 240) -> str:
    """Entries per hour as a bar chart drawn on the server (no script, nothing from a CDN):
    a y axis with round ticks and grid lines, an x axis with the hours, both titled, and
    each bar's hour and count in its tooltip."""
    words = labels or ChartLabels()
    # Sized so that on a 390-px phone the 15-unit text is still about 12 px tall.
    left, right, top_pad, bottom = 50, 8, 14, 50
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    ticks = nice_ticks(max(hours) if hours else 0)
    scale = plot_h / ticks[-1]
    base = top_pad + plot_h
    bar = plot_w / 24
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'class="chart" role="img" aria-label="{esc(words.title)}" '
             f'font-family="sans-serif" font-size="15">',
             f"<title>{esc(words.title)}</title>"]
    for t in ticks:
        y = base - t * scale
        parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" '
                     f'y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text class="y-tick" x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{t}</text>')
    for i, n in enumerate(hours):
        h = n * scale
        parts.append(f'<rect class="bar" x="{left + i * bar + 1.5:.1f}" y="{base - h:.1f}" '
                     f'width="{bar - 3:.1f}" height="{h:.1f}" fill="#0a6cff">'
                     f"<title>{i:02d}:00–{(i + 1) % 24:02d}:00 {n}</title></rect>")
        if i % 3 == 0:
            x = left + i * bar
            parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 5}" '
                         f'stroke="#333"/>')
            parts.append(f'<text class="x-tick" x="{x:.1f}" y="{base + 20}" '
                         f'text-anchor="middle">{i:02d}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" '
                 f'stroke="#333"/>')
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{width - right}" '
                 f'y2="{base}" stroke="#333"/>')
    parts.append(f'<text class="x-title" x="{left + plot_w / 2:.1f}" y="{height - 6}" '
                 f'text-anchor="middle">{esc(words.x_axis)}</text>')
    parts.append(f'<text class="y-title" transform="translate(15 {top_pad + plot_h / 2:.1f}) '
                 f'rotate(-90)" text-anchor="middle">{esc(words.y_axis)}</text>')
    parts.append("</svg>")
    return "".join(parts)
