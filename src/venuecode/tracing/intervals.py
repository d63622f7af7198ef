"""Interval arithmetic of the tracing rules: presence (rule 2), and the vectorised pieces
the engine is made of (window merging, which sources may overlap an interval, pair
expansion and chunking for rule 4, the strongest source for rule 5). Columns are int64
numpy arrays (`types.Column`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from venuecode.tracing.types import MICROS_PER_MINUTE, Column, Interval, IntervalBatch, Presence


def dwell_micros(dwell_minutes: float) -> int:
    """A stay length in micros, rounded once so every implementation agrees."""
    return round(dwell_minutes * MICROS_PER_MINUTE)


def presence_intervals(checkins: Iterable[Presence], dwell_minutes: Callable[[str], float]) -> list[Interval]:
    """Rule 2: each kept check-in becomes `[scanned_at, end)`; empty intervals are dropped.

    Sorted by (person, start). Per person the intervals never overlap.
    """
    by_person: dict[str, dict[int, Presence]] = defaultdict(dict)
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


def _same_instant_key(c: Presence) -> tuple[str, bool, int]:
    # The spec keeps the smallest venue id; for exact duplicates at one venue we keep the
    # earliest exit scan (one with an exit scan before one without), i.e. the same end
    # rule 2's min() would give if the duplicates were one check-in.
    no_exit = c.checked_out_at is None
    return (c.venue, no_exit, 0 if c.checked_out_at is None else c.checked_out_at)


def distinct_names(names: Sequence[str], codes: Column) -> tuple[list[str], Column]:
    """`names` without repeats and `codes` re-pointed into it (tables from a source may repeat)."""
    table = list(names)
    if len(set(table)) == len(table):
        return table, codes
    first: dict[str, int] = {}
    for name in table:
        first.setdefault(name, len(first))
    remap = np.fromiter((first[name] for name in table), np.int64, len(table))
    return list(first), remap[codes]


def sorted_names(names: Sequence[str], codes: Column) -> tuple[list[str], Column]:
    """The distinct `names` in code-point order and `codes` re-pointed into them, so that
    codes compare as the strings do (rule 5's ties, the order of evidence and venues)."""
    table = sorted(set(names))
    if table == list(names):
        return table, codes
    rank = {name: i for i, name in enumerate(table)}
    remap = np.fromiter((rank[name] for name in names), np.int64, len(names))
    return table, remap[codes]


def merged_windows(intervals: Iterable[Interval]) -> list[tuple[str, int, int]]:
    """Per venue, the union of the intervals as few `(venue, start, end)` windows as possible."""
    batch = IntervalBatch.of(intervals)
    venues, venue = sorted_names(batch.venues, batch.venue)
    order = np.lexsort((batch.start, venue))
    v, s, e = merged_spans(venue[order], batch.start[order], batch.end[order])
    return [(venues[i], lo, hi) for i, lo, hi in zip(v.tolist(), s.tolist(), e.tolist(), strict=True)]


def merged_spans(venue: Column, start: Column, end: Column) -> tuple[Column, Column, Column]:
    """Per venue code, the union of the spans `[start, end)` (sorted by venue, then start)
    as few spans as possible; overlapping or touching spans become one."""
    if not len(start):
        return venue, start, end
    # Times replaced by their ranks so that `venue * width + rank` orders by venue, then
    # time, without overflow; a running maximum of the ends then never crosses venues.
    times = np.unique(np.concatenate((start, end)))
    width = len(times)
    start_key = venue * width + np.searchsorted(times, start)
    reach = np.maximum.accumulate(venue * width + np.searchsorted(times, end))
    first = np.flatnonzero(np.concatenate(([True], start_key[1:] > reach[:-1])))
    return venue[first], start[first], np.maximum.reduceat(end, first)


def overlap_ranges(
    src_venue: Column, src_start: Column, src_end: Column, venue: Column, start: Column, end: Column
) -> tuple[Column, Column]:
    """For each interval `(venue[i], start[i], end[i])` the slice `lo[i]:hi[i]` of the
    sources (sorted by venue, then start) that may overlap it: at the same venue, starting
    before its end, and after its start minus the longest source at that venue (a source
    that starts earlier ends at or before the interval's start). Intervals at venues
    without sources get an empty slice."""
    if not len(src_start):
        zeros = np.zeros(len(start), np.int64)
        return zeros, zeros
    n_venues = int(max(src_venue.max(), venue.max(initial=0))) + 1
    longest = np.zeros(n_venues, np.int64)
    np.maximum.at(longest, src_venue, src_end - src_start)
    # Source starts as ranks: `venue * width + rank` orders as (venue, start) and never
    # overflows, whatever the times.
    times = np.unique(src_start)
    width = len(times) + 1
    src_key = src_venue * width + np.searchsorted(times, src_start)
    base = venue * width
    # rank(s) < searchsorted(times, x, "left") iff s < x; "right" gives s <= x.
    hi = np.searchsorted(src_key, base + np.searchsorted(times, end, "left"))
    lo = np.searchsorted(src_key, base + np.searchsorted(times, start - longest[venue], "right"))
    return lo, np.maximum(lo, hi)


def pair_chunks(
    counts: Column, group_starts: Column, max_pairs: int, max_groups: int | None = None
) -> Iterator[tuple[int, int]]:
    """Row slices `(r0, r1)` covering all rows in order, each with at most `max_pairs`
    pairs (`counts[i]` for row `i`) and `max_groups` groups, cut only at `group_starts`
    (ascending, from 0) so that no group is split; a group with more pairs than
    `max_pairs` is a slice of its own."""
    n = len(counts)
    if not n:
        return
    cum = np.concatenate(([0], np.cumsum(counts)))
    cuts = np.append(group_starts, n)
    at = cum[cuts]
    i = 0
    while cuts[i] < n:
        # The furthest cut within both budgets, but at least one group further.
        j = int(np.searchsorted(at, at[i] + max_pairs, "right")) - 1
        if max_groups is not None:
            j = min(j, i + max_groups)
        j = max(j, i + 1)
        yield int(cuts[i]), int(cuts[j])
        i = j


def expand_ranges(lo: Column, hi: Column) -> Column:
    """Every k in `lo[i]:hi[i]`, for row i = 0, 1, ... in turn: row i's run is `hi[i] - lo[i]`
    long, so `np.repeat(column, hi - lo)` lines a row's values up with its k's."""
    counts = hi - lo
    run_start = np.cumsum(counts) - counts
    k: Column = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(lo - run_start, counts)
    return k


# A dense person x source table (float64) is used while it has at most DENSE_CELLS cells
# (32 MB) and at most DENSE_CELLS_PER_PAIR cells per pair: filling and scanning a cell
# costs a small fraction of sorting a pair.
DENSE_CELLS = 4_000_000
DENSE_CELLS_PER_PAIR = 16


def prefers_dense(n_persons: int, n_sources: int, n_pairs: int) -> bool:
    """Whether `strongest_sources` over pairs of this shape is cheaper with a table."""
    return n_persons * n_sources <= DENSE_CELLS_PER_PAIR * n_pairs + 65_536


def strongest_sources(
    person: Column, source: Column, micros: Column, n_persons: int, n_sources: int
) -> tuple[Column, Column]:
    """Rule 5's source: for each person `0..n_persons-1`, the source with the largest
    summed `micros` (positive) over the pairs `(person[i], source[i])`, ties to the smaller
    source code, and that sum; `(-1, 0)` for a person without pairs."""
    cells = n_persons * n_sources
    if cells <= DENSE_CELLS and prefers_dense(n_persons, n_sources, len(person)):
        return strongest_sources_dense(person, source, micros, n_persons, n_sources)
    return strongest_sources_sorted(person, source, micros, n_persons, n_sources)


def strongest_sources_dense(
    person: Column, source: Column, micros: Column, n_persons: int, n_sources: int
) -> tuple[Column, Column]:
    """`strongest_sources` with a person x source table."""
    # Summed as float64: exact, every partial sum being an integer below 2**53 micros
    # (285 years), and bincount is much faster than an integer np.add.at.
    table = np.bincount(person * n_sources + source, weights=micros, minlength=n_persons * n_sources)
    table = table.reshape(n_persons, n_sources)
    best = table.argmax(axis=1)  # the first of equal maxima: the smaller source code
    total = table[np.arange(n_persons), best].astype(np.int64)
    return np.where(total > 0, best, -1), total


def strongest_sources_sorted(
    person: Column, source: Column, micros: Column, n_persons: int, n_sources: int
) -> tuple[Column, Column]:
    """`strongest_sources` by sorting the pairs on (person, source)."""
    best = np.full(n_persons, -1, dtype=np.int64)
    total = np.zeros(n_persons, dtype=np.int64)
    if not len(person):
        return best, total
    key = person * n_sources + source
    order = np.argsort(key, kind="stable")
    key = key[order]
    group_at = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    sums = np.add.reduceat(micros[order], group_at)
    group_person, group_source = np.divmod(key[group_at], n_sources)
    # Groups run by person, then source: per person the first group with the largest sum.
    person_at = np.flatnonzero(np.concatenate(([True], group_person[1:] != group_person[:-1])))
    largest = np.maximum.reduceat(sums, person_at)
    tops = np.flatnonzero(sums == np.repeat(largest, np.diff(np.append(person_at, len(sums)))))
    first_top = tops[np.concatenate(([True], group_person[tops][1:] != group_person[tops][:-1]))]
    best[group_person[first_top]] = group_source[first_top]
    total[group_person[first_top]] = sums[first_top]
    return best, total
