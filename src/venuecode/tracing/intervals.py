"""Interval arithmetic of the tracing rules: presence (rule 2), clipping, overlaps (rule 4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from venuecode.tracing.types import MICROS_PER_MINUTE, CheckIn, Interval


def dwell_micros(dwell_minutes: float) -> int:
    """A stay length in micros, rounded once so every implementation agrees."""
    return round(dwell_minutes * MICROS_PER_MINUTE)


def presence_intervals(checkins: Iterable[CheckIn], dwell_minutes: Callable[[str], float]) -> list[Interval]:
    """Rule 2: each kept check-in becomes `[scanned_at, end)`; empty intervals are dropped.

    Sorted by (person, start). Per person the intervals never overlap.
    """
    by_person: dict[str, dict[int, CheckIn]] = defaultdict(dict)
    for c in checkins:
        kept = by_person[c.person].get(c.scanned_at)
        if kept is None or _same_instant_key(c) < _same_instant_key(kept):
            by_person[c.person][c.scanned_at] = c
    dwell_cache: dict[str, int] = {}
    out: list[Interval] = []
    for person in sorted(by_person):
        kept_list = sorted(by_person[person].values(), key=lambda c: c.scanned_at)
        for i, c in enumerate(kept_list):
            dwell = dwell_cache.get(c.venue)
            if dwell is None:
                dwell = dwell_cache[c.venue] = dwell_micros(dwell_minutes(c.venue))
            end = c.scanned_at + dwell
            if c.checked_out_at is not None:
                end = min(end, c.checked_out_at)
            if i + 1 < len(kept_list):
                # Keys are distinct instants, so the next one is strictly later.
                end = min(end, kept_list[i + 1].scanned_at)
            if end > c.scanned_at:
                out.append(Interval(person, c.venue, c.scanned_at, end))
    return out


def _same_instant_key(c: CheckIn) -> tuple[str, bool, int]:
    # The spec keeps the smallest venue id; for exact duplicates at one venue we keep the
    # earliest exit scan (one with an exit scan before one without), i.e. the same end
    # rule 2's min() would give if the duplicates were one check-in.
    no_exit = c.checked_out_at is None
    return (c.venue, no_exit, 0 if c.checked_out_at is None else c.checked_out_at)


def clip(interval: Interval, start: int, end: int) -> Interval | None:
    """The part of `interval` inside `[start, end)`, or None when nothing is left."""
    s = max(interval.start, start)
    e = min(interval.end, end)
    if e <= s:
        return None
    return Interval(interval.person, interval.venue, s, e)


def merged_windows(intervals: Iterable[Interval]) -> list[tuple[str, int, int]]:
    """Per venue, the union of the intervals as few `(venue, start, end)` windows as possible."""
    by_venue: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for iv in intervals:
        by_venue[iv.venue].append((iv.start, iv.end))
    out: list[tuple[str, int, int]] = []
    for venue in sorted(by_venue):
        spans = sorted(by_venue[venue])
        cur_s, cur_e = spans[0]
        for s, e in spans[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                out.append((venue, cur_s, cur_e))
                cur_s, cur_e = s, e
        out.append((venue, cur_s, cur_e))
    return out


def overlapping_pairs(
    sources: Iterable[Interval], others: Iterable[Interval]
) -> Iterator[tuple[Interval, Interval, int, int]]:
    """Every pair (a, b) of a source interval and another person's interval at the same
    venue with positive overlap, as `(a, b, overlap_start, overlap_end)`.

    A sweep per venue over start/end events: O((n + m) log(n + m) + pairs), so a busy
    venue costs what its actual contacts cost, never n * m.
    """
    events: dict[str, list[tuple[int, int, int, int, Interval]]] = defaultdict(list)
    # Event order at one instant: ends (0) before starts (1), because intervals are
    # half-open and touching ones do not overlap. Side 0 = source, 1 = other.
    key = 0  # a unique key per interval, so equal duplicates stay separate
    for side, group in ((0, sources), (1, others)):
        for iv in group:
            if iv.end > iv.start:
                key += 1
                events[iv.venue].append((iv.start, 1, side, key, iv))
                events[iv.venue].append((iv.end, 0, side, key, iv))
    for venue in sorted(events):
        evs = events[venue]
        evs.sort(key=lambda ev: (ev[0], ev[1], ev[2]))
        active: tuple[dict[int, Interval], dict[int, Interval]] = ({}, {})
        for _t, is_start, side, k, iv in evs:
            if not is_start:
                del active[side][k]
                continue
            for other in active[1 - side].values():
                if other.person == iv.person:
                    continue
                a, b = (iv, other) if side == 0 else (other, iv)
                yield a, b, max(a.start, b.start), min(a.end, b.end)
            active[side][k] = iv
