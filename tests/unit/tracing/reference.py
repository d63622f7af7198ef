"""A brute-force reading of tracing-rules.md, written from the text, for property tests.

Deliberately naive: loops over all people and all pairs of intervals, no indexes, no
sweeps, and no code shared with the engine except the value types. Returns plain data
so a test can compare it field by field with the engine's result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from venuecode.tracing.types import Case, Interval, Presence, TraceOptions

MINUTE = 60_000_000
DAY = 86_400_000_000


@dataclass(frozen=True)
class RefContact:
    person: str
    tier: str
    source: str
    exposure_minutes: float
    evidence: list[tuple[str, int, int]]


@dataclass(frozen=True)
class RefResult:
    contacts: list[RefContact]
    venues: list[tuple[str, list[tuple[str, int, int]]]]
    windows: list[tuple[str, int, int]]


def ref_presence(checkins: Sequence[Presence], dwell: Callable[[str], float]) -> list[Interval]:
    """Rule 2 literally. Keeps empty intervals (their overlaps are 0 anyway)."""
    result: list[Interval] = []
    for p in sorted({c.person for c in checkins}):
        mine = [c for c in checkins if c.person == p]
        kept: list[Presence] = []
        for t in sorted({c.scanned_at for c in mine}):
            same_instant = [c for c in mine if c.scanned_at == t]
            # smallest venue id; for duplicates at one venue the earliest exit scan
            # (an exit scan before none), our documented reading
            kept.append(
                min(
                    same_instant,
                    key=lambda c: (
                        c.venue,
                        c.checked_out_at is None,
                        c.checked_out_at if c.checked_out_at is not None else 0,
                    ),
                )
            )
        for c in kept:
            candidates = [c.scanned_at + round(dwell(c.venue) * MINUTE)]
            if c.checked_out_at is not None:
                candidates.append(c.checked_out_at)
            later = [n.scanned_at for n in kept if n.scanned_at > c.scanned_at]
            if later:
                candidates.append(min(later))
            result.append(Interval(p, c.venue, c.scanned_at, min(candidates)))
    return result


def _tier_order(tier: str) -> int:
    named = ["close", "secondary", "tertiary"]
    if tier in named:
        return named.index(tier)
    if tier == "general":
        return 10**9
    return int(tier.removeprefix("tier")) - 1


def ref_trace(
    checkins: Sequence[Presence],
    dwell: Callable[[str], float],
    cases: Sequence[Case],
    options: TraceOptions,
) -> RefResult:
    presence = ref_presence(checkins, dwell)
    everyone = sorted({iv.person for iv in presence})

    def presence_of(p: str) -> list[Interval]:
        return [iv for iv in presence if iv.person == p]

    def clipped(p: str, lo: int, hi: int) -> list[Interval]:
        out = []
        for iv in presence_of(p):
            s, e = max(iv.start, lo), min(iv.end, hi)
            if s < e:
                out.append(Interval(p, iv.venue, s, e))
        return out

    exposure_intervals: dict[str, list[Interval]] = {}
    windows = []
    look_back = round(options.look_back_days * DAY)
    for c in cases:
        i = c.isolated if c.isolated is not None else options.as_of
        windows.append((c.person, c.reference - look_back, i))
        exposure_intervals[c.person] = clipped(c.person, c.reference - look_back, i)

    def pairs(b: str, a: str) -> list[tuple[Interval, Interval, int]]:
        out = []
        for x in exposure_intervals[a]:
            for y in presence_of(b):
                if x.venue == y.venue:
                    ov = max(0, min(x.end, y.end) - max(x.start, y.start))
                    if ov > 0:
                        out.append((x, y, ov))
        return out

    def exposure(b: str, a: str) -> int:
        return sum(ov for _x, _y, ov in pairs(b, a))

    def pick_source(b: str, candidates: list[str]) -> str:
        best = None
        for a in sorted(candidates):  # ascending, so a tie keeps the smaller id
            if best is None or exposure(b, a) > exposure(b, best):
                best = a
        assert best is not None
        return best

    case_ids = [c.person for c in cases]
    tier: dict[str, str] = {}
    source: dict[str, str] = {}
    levels: list[list[str]] = [case_ids]
    close = [
        b
        for b in everyone
        if b not in case_ids and any(exposure(b, c) / MINUTE >= options.close_minutes for c in case_ids)
    ]
    for b in close:
        tier[b], source[b] = "close", pick_source(b, case_ids)
    levels.append(close)
    general = [
        b for b in everyone if b not in case_ids and b not in close and any(exposure(b, c) > 0 for c in case_ids)
    ]

    for depth in range(2, options.depth + 1):
        above, above_sources = levels[depth - 1], levels[depth - 2]
        for k in above:
            first = min(max(x.start, y.start) for a in above_sources for x, y, _ov in pairs(k, a))
            i_k = options.contact_isolated.get(k, options.as_of)
            exposure_intervals[k] = clipped(k, first, i_k)
        assigned = [p for level in levels for p in level]
        name = {2: "secondary", 3: "tertiary"}.get(depth, f"tier{depth}")
        new = [
            b
            for b in everyone
            if b not in assigned and any(exposure(b, k) / MINUTE >= options.close_minutes for k in above)
        ]
        for b in new:
            tier[b], source[b] = name, pick_source(b, above)
        levels.append(new)

    for b in general:
        if b not in tier:
            tier[b], source[b] = "general", pick_source(b, case_ids)

    contacts = []
    for b in sorted(tier, key=lambda p: (_tier_order(tier[p]), p)):
        evidence = sorted(
            ((x.venue, max(x.start, y.start), min(x.end, y.end)) for x, y, _ov in pairs(b, source[b])),
            key=lambda t: (t[1], t[2], t[0]),
        )
        contacts.append(RefContact(b, tier[b], source[b], exposure(b, source[b]) / MINUTE, evidence))

    venue_names = sorted({x.venue for c in case_ids for x in exposure_intervals[c]})
    venues = [
        (
            v,
            sorted(
                ((x.person, x.start, x.end) for c in case_ids for x in exposure_intervals[c] if x.venue == v),
                key=lambda t: (t[1], t[2], t[0]),
            ),
        )
        for v in venue_names
    ]
    return RefResult(contacts, venues, windows)
