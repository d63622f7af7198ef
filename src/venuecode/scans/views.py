"""Read models for staff: today's entries at a venue (masked) and district scan volumes."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, func, select, type_coerce
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
        select(Checkin.scanned_at, Checkin.id_number, Checkin.sub_area_pk)
        .where(Checkin.venue_pk == venue.id, Checkin.scanned_at >= start,
               Checkin.scanned_at < end).order_by(Checkin.scanned_at.desc()).limit(limit)
    ).all()
    denied = session.execute(
        select(DeniedAttempt.attempted_at, DeniedAttempt.id_number, DeniedAttempt.sub_area_pk,
               DeniedAttempt.health_color, DeniedAttempt.reasons)
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
                     "green", []) for e in entries]
    rows += [EntryRow(d.attempted_at, mask_name(names.get(d.id_number, "")),
                      mask_id_number(d.id_number), areas.get(d.sub_area_pk or -1), "deny",
                      d.health_color, [r for r in d.reasons.split(",") if r]) for d in denied]
    rows.sort(key=lambda r: r.at, reverse=True)
    return counts, rows[:limit]


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


def hour_chart_svg(hours: list[int], width: int = 640, height: int = 180,
                   label: str = "scans per hour") -> str:
    """A small bar chart drawn on the server: no JavaScript library, nothing from a CDN.
    `label` names it for screen readers, in the page's language."""
    top = max(hours) or 1
    bar = width / 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
             f'class="chart" role="img" aria-label="{html.escape(label)}">']
    for i, n in enumerate(hours):
        h = (height - 10) * n / top
        parts.append(f'<rect x="{i * bar + 2:.1f}" y="{height - h:.1f}" width="{bar - 4:.1f}" '
                     f'height="{h:.1f}" fill="#0a6cff"><title>{i:02d}:00 {n}</title></rect>')
        if i % 3 == 0:
            parts.append(f'<text x="{i * bar + bar / 2:.1f}" y="{height + 15}" font-size="11" '
                         f'text-anchor="middle">{i:02d}</text>')
    parts.append("</svg>")
    return "".join(parts)
