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
