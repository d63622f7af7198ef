"""`InMemorySource`: the presence-source protocol over a list of check-ins (tests, demos).

Intervals are built once with `presence_intervals` (rule 2 over the full history) and
indexed per person and per venue, sorted by start, so each window costs a bisection
plus the intervals it returns.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence

from venuecode.tracing.intervals import presence_intervals
from venuecode.tracing.types import Interval, IntervalBatch, Presence


class _Index:
    """Intervals sorted by start, with the longest length to bound the backward search."""

    __slots__ = ("intervals", "longest", "starts")

    def __init__(self, intervals: list[Interval]) -> None:
        self.intervals = sorted(intervals, key=lambda iv: (iv.start, iv.end, iv.person))
        self.starts = [iv.start for iv in self.intervals]
        self.longest = max((iv.end - iv.start for iv in self.intervals), default=0)

    def intersecting(self, start: int, end: int) -> Iterable[Interval]:
        # An interval that starts at or before start - longest ends at or before start.
        i = bisect_right(self.starts, start - self.longest)
        j = bisect_left(self.starts, end)
        return (iv for iv in self.intervals[i:j] if iv.end > start)


class InMemorySource:
    """Presence intervals of the given check-ins; `dwell_minutes(venue)` as in rule 2."""

    def __init__(self, checkins: Iterable[Presence], dwell_minutes: Callable[[str], float]) -> None:
        self.intervals = presence_intervals(checkins, dwell_minutes)
        by_person: dict[str, list[Interval]] = defaultdict(list)
        by_venue: dict[str, list[Interval]] = defaultdict(list)
        for iv in self.intervals:
            by_person[iv.person].append(iv)
            by_venue[iv.venue].append(iv)
        self._by_person = {p: _Index(ivs) for p, ivs in by_person.items()}
        self._by_venue = {v: _Index(ivs) for v, ivs in by_venue.items()}

    def intervals_of(self, persons: Collection[str], start: int, end: int) -> IntervalBatch:
        out: list[Interval] = []
        for p in persons:
            index = self._by_person.get(p)
            if index is not None:
                out.extend(index.intersecting(start, end))
        return IntervalBatch.of(out)

    def intervals_at(self, windows: Sequence[tuple[str, int, int]]) -> IntervalBatch:
        out: list[Interval] = []
        for venue, start, end in windows:
            index = self._by_venue.get(venue)
            if index is not None:
                out.extend(index.intersecting(start, end))
        return IntervalBatch.of(out)
