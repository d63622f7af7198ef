"""A synthetic trace result shaped like the engine's JSON, for the graph's tests and bench."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def outbreak_result(cases: int = 173, contacts: int = 47_000) -> dict[str, Any]:
    """A synthetic result shaped like the engine's: many cases, tens of thousands of contacts."""
    def t(minute: int) -> str:
        return datetime(2022, 4, 19, 8, tzinfo=UTC).replace(minute=minute % 60).isoformat()

    venues: dict[str, list[dict[str, Any]]] = {}
    for i in range(cases):
        for v in (i % 300, (i * 7) % 300):
            venues.setdefault(f"V{v:03d}", []).append(
                {"case": f"C{i:03d}", "start": t(0), "end": t(50), "minutes": 50.0})
    people = []
    names = sorted(venues)
    for n in range(contacts):
        venue = names[n % len(names)]
        tier, source = ("close", venues[venue][0]["case"]) if n % 3 else ("general", venues[venue][0]["case"])
        if n % 5 == 0 and n > 10:
            tier, source, venue = "secondary", f"P{n - 1:06d}", f"W{n % 2000:04d}"
        people.append({"id_number": f"P{n:06d}", "tier": tier, "source": source,
                       "exposure_minutes": 20.0,
                       "evidence": [{"venue": venue, "start": t(10), "end": t(30), "minutes": 20.0}]})
    rank = {"close": 1, "secondary": 2, "general": 9}
    people.sort(key=lambda c: (rank[c["tier"]], c["id_number"]))
    return {"as_of": t(59), "rules": {}, "cases": [
        {"id_number": f"C{i:03d}", "reference": t(0), "isolated": None, "window_start": t(0),
         "window_end": t(59)} for i in range(cases)],
        "contacts": people, "venues": [{"venue": v, "intervals": ivs} for v, ivs in sorted(venues.items())]}


def clustered_outbreak(cases: int = 173, contacts: int = 85_000, chains: int = 12,
                       days: int = 6) -> dict[str, Any]:
    """An outbreak of several chains: each chain its own venues, on its own days; close
    and general contacts at the chain's venues, secondary contacts where close ones went
    next. Shaped like the engine's JSON (times with the +08:00 offset)."""
    from datetime import timedelta, timezone

    tz = timezone(timedelta(hours=8))
    start = datetime(2022, 4, 14, 8, tzinfo=tz)

    def at(day: int, minute: int) -> str:
        return (start + timedelta(days=day, minutes=minute)).isoformat()

    venues: dict[str, list[dict[str, Any]]] = {}
    case_rows = []
    for i in range(cases):
        chain = i % chains
        day = (chain * days) // chains
        case_id = f"C{i:03d}"
        for k in range(2):
            venue = f"V{chain:02d}{(i // chains + k) % 6}"
            minute = 60 * ((i + k) % 9)
            venues.setdefault(venue, []).append(
                {"case": case_id, "start": at(day, minute), "end": at(day, minute + 50),
                 "minutes": 50.0})
        case_rows.append({"id_number": case_id, "reference": at(day + 2, 0), "isolated": None,
                          "window_start": at(day - 2, 0), "window_end": at(day + 2, 0)})
    people = []
    names = sorted(venues)
    for n in range(contacts):
        venue = names[n % len(names)]
        first = venues[venue][n % len(venues[venue])]
        day_minute = datetime.fromisoformat(first["start"])
        when = day_minute + timedelta(minutes=5 + n % 40)
        tier, source = ("close", first["case"]) if n % 4 else ("general", first["case"])
        if n % 5 == 0 and n > 10:
            tier, source, venue = "secondary", f"P{n - 1:06d}", f"W{venue}{n % 7}"
            when += timedelta(hours=6)
        people.append({"id_number": f"P{n:06d}", "tier": tier, "source": source,
                       "exposure_minutes": 20.0 + n % 30,
                       "evidence": [{"venue": venue, "start": when.isoformat(),
                                     "end": (when + timedelta(minutes=20)).isoformat(),
                                     "minutes": 20.0}]})
    rank = {"close": 1, "secondary": 2, "general": 9}
    people.sort(key=lambda c: (rank[c["tier"]], c["id_number"]))
    return {"as_of": at(days + 3, 0), "rules": {}, "cases": case_rows, "contacts": people,
            "venues": [{"venue": v, "intervals": ivs} for v, ivs in sorted(venues.items())]}
