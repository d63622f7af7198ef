"""Call lists (电话流调名单): a trace's contacts as a district's call team works from them.

Each row: the person's name and phone (from the population registry), tier, source case,
the first venue they shared with a case (by name and address) and when, exposure in whole
minutes, and the district they live in (the registry's, or inferred from the ID number,
marked). Rows sort by tier, exposure or first contact, filter by district and venue.
The trace's stored JSON is the input; the registry and venue lookups are done in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.people.models import Person
from venuecode.people.regions import residence
from venuecode.tracing.push_scope import tier_label
from venuecode.tracing.types import tier_rank
from venuecode.venues.models import Venue

Sort = Literal["tier", "exposure", "first"]
SORTS: tuple[Sort, ...] = ("tier", "exposure", "first")
_CHUNK = 900  # under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Registered:
    name: str
    phone: str
    district: str | None
    address: str


@dataclass(frozen=True)
class Place:
    name: str
    address: str


@dataclass(frozen=True)
class CallRow:
    id_number: str
    name: str
    phone: str  # full: masked where shown, unless the viewer may see it
    tier: str
    source: str
    venue_id: str
    venue_name: str
    venue_address: str
    first_contact: datetime | None  # local time
    exposure_minutes: int
    district: str
    district_inferred: bool
    address: str
    venues: tuple[str, ...]  # every venue of the evidence, for the venue filter

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """138****0004: the operator prefix and the last four digits."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def whole_minutes(minutes: float) -> int:
    """Exposure as the call team says it: 146.9 minutes is 147."""
    return int(minutes + 0.5)


def registered(session: Session, numbers: Iterable[str]) -> dict[str, Registered]:
    wanted = sorted(set(numbers))
    found: dict[str, Registered] = {}
    for i in range(0, len(wanted), _CHUNK):
        for number, name, phone, district, address in session.execute(
                select(Person.id_number, Person.name, Person.phone, Person.district,
                       Person.address).where(Person.id_number.in_(wanted[i:i + _CHUNK]))):
            found[number] = Registered(name, phone or "", district, address or "")
    return found


def places(session: Session, venue_ids: Iterable[str]) -> dict[str, Place]:
    wanted = sorted(set(venue_ids))
    found: dict[str, Place] = {}
    for i in range(0, len(wanted), _CHUNK):
        for venue_id, name, address in session.execute(
                select(Venue.venue_id, Venue.name, Venue.address)
                .where(Venue.venue_id.in_(wanted[i:i + _CHUNK]))):
            found[venue_id] = Place(name, address or "")
    return found


def _local(text: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(tz)
    return moment.replace(tzinfo=None)


def call_rows(contacts: Sequence[Mapping[str, Any]], people: Mapping[str, Registered],
              venues: Mapping[str, Place], tz: ZoneInfo) -> list[CallRow]:
    """One row per contact, in the trace's order."""
    rows = []
    for contact in contacts:
        number = str(contact["id_number"])
        evidence = sorted(contact.get("evidence", ()), key=lambda e: str(e["start"]))
        first = evidence[0] if evidence else None
        person = people.get(number)
        home = residence(number, person.district if person else None)
        place = venues.get(str(first["venue"])) if first else None
        rows.append(CallRow(
            id_number=number, name=person.name if person else "",
            phone=person.phone if person else "", tier=str(contact["tier"]),
            source=str(contact.get("source", "")),
            venue_id=str(first["venue"]) if first else "",
            venue_name=place.name if place else (str(first["venue"]) if first else ""),
            venue_address=place.address if place else "",
            first_contact=_local(str(first["start"]), tz) if first else None,
            exposure_minutes=whole_minutes(float(contact.get("exposure_minutes", 0))),
            district=home.district, district_inferred=home.inferred,
            address=person.address if person else "",
            venues=tuple(dict.fromkeys(str(e["venue"]) for e in evidence))))
    return rows


def sorted_rows(rows: Sequence[CallRow], sort: Sort) -> list[CallRow]:
    """Tier first (close before general), exposure longest first, or first contact earliest;
    ties keep the next key so the order is stable for page numbers."""
    never = datetime.max  # noqa: DTZ901 (first_contact is naive local time)
    if sort == "exposure":
        return sorted(rows, key=lambda r: (-r.exposure_minutes, tier_rank(r.tier), r.id_number))
    if sort == "first":
        return sorted(rows, key=lambda r: (r.first_contact or never, tier_rank(r.tier),
                                           r.id_number))
    return sorted(rows, key=lambda r: (tier_rank(r.tier), -r.exposure_minutes, r.id_number))


def filtered(rows: Iterable[CallRow], district: str = "", venue: str = "") -> list[CallRow]:
    return [r for r in rows if (not district or r.district == district)
            and (not venue or venue in r.venues)]


def by_district(rows: Iterable[CallRow]) -> dict[str, list[CallRow]]:
    """Each district's rows (registry districts first, inferred ones after), for the sheets."""
    groups: dict[str, list[CallRow]] = {}
    for row in rows:
        groups.setdefault(row.district, []).append(row)
    return dict(sorted(groups.items(), key=lambda kv: (kv[1][0].district_inferred, kv[0])))
