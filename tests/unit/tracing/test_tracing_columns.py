"""The engine's vectorised pieces against plain loops: which sources may overlap an
interval, pair expansion, chunking, window merging, the strongest source, name tables."""

from __future__ import annotations

import gc
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venuecode.tracing.engine import gc_paused
from venuecode.tracing.intervals import (
    distinct_names,
    expand_ranges,
    merged_spans,
    merged_windows,
    overlap_ranges,
    pair_chunks,
    sorted_names,
    strongest_sources,
    strongest_sources_dense,
    strongest_sources_sorted,
)
from venuecode.tracing.types import Interval, IntervalBatch

T0 = 1_650_000_000_000_000


def ints(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


# Spans on a small grid so that equal starts, touching ends and nesting are common.
span = st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(0, 6)).map(
    lambda v: (v[0], T0 + v[1] * 10, T0 + v[1] * 10 + v[2] * 10)
)


def sources_sorted(spans: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ordered = sorted(spans)
    return ints([v for v, _s, _e in ordered]), ints([s for _v, s, _e in ordered]), ints([e for _v, _s, e in ordered])


@settings(max_examples=300, deadline=None)
@given(st.lists(span, max_size=12), st.lists(span, max_size=12))
def test_ranges_then_expansion_find_exactly_the_overlapping_pairs(
    sources: list[tuple[int, int, int]], others: list[tuple[int, int, int]]
) -> None:
    sv, ss, se = sources_sorted(sources)
    ov, os_, oe = (ints([o[i] for o in others]) for i in range(3))
    lo, hi = overlap_ranges(sv, ss, se, ov, os_, oe)
    k = expand_ranges(lo, hi)
    rows = np.repeat(np.arange(len(others)), hi - lo)
    found = {(int(r), int(j)) for r, j in zip(rows, k, strict=True)}
    # Every range holds the sources that overlap (half-open: touching is not overlapping)...
    overlapping = {
        (r, j)
        for r in range(len(others))
        for j in range(len(sv))
        if sv[j] == ov[r] and min(se[j], oe[r]) > max(ss[j], os_[r])
    }
    assert overlapping <= found
    # ...and only sources at the same venue that start before the interval ends.
    assert all(sv[j] == ov[r] and ss[j] < oe[r] for r, j in found)


def test_a_source_touching_an_interval_is_not_in_its_range_when_it_ends_first() -> None:
    # One source [0, 10) at venue 0; intervals [10, 20) (touches) and [5, 6) (inside).
    lo, hi = overlap_ranges(ints([0]), ints([0]), ints([10]), ints([0, 0, 1]), ints([10, 5, 5]), ints([20, 6, 6]))
    assert (hi - lo).tolist() == [0, 1, 0]


def test_expansion_lists_each_rows_range_in_turn() -> None:
    assert expand_ranges(ints([2, 0, 5]), ints([4, 0, 6])).tolist() == [2, 3, 5]
    assert expand_ranges(ints([]), ints([])).tolist() == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=30),
    st.data(),
    st.integers(1, 8),
    st.none() | st.integers(1, 4),
)
def test_chunks_cover_every_row_once_and_cut_only_between_groups(
    counts: list[int], data: st.DataObject, max_pairs: int, max_groups: int | None
) -> None:
    n = len(counts)
    cuts = data.draw(st.lists(st.integers(1, n - 1), max_size=n)) if n > 1 else []
    starts = sorted({0, *cuts})
    chunks = list(pair_chunks(ints(counts), ints(starts), max_pairs, max_groups))
    assert chunks[0][0] == 0 and chunks[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
    for r0, r1 in chunks:
        assert r0 in starts and (r1 in starts or r1 == n)
        groups = len([s for s in starts if r0 <= s < r1])
        if groups > 1:  # a single group may exceed the budgets; several never do
            assert sum(counts[r0:r1]) <= max_pairs
            assert max_groups is None or groups <= max_groups


@settings(max_examples=300, deadline=None)
@given(st.lists(span, max_size=15))
def test_merged_spans_are_the_union_per_venue(spans: list[tuple[int, int, int]]) -> None:
    spans = [(v, s, e) for v, s, e in spans if e > s]
    v, s, e = sources_sorted(spans)
    got = list(zip(*(c.tolist() for c in merged_spans(v, s, e)), strict=True))
    want: list[tuple[int, int, int]] = []
    for venue, start, end in sorted(spans):
        if want and want[-1][0] == venue and start <= want[-1][2]:
            want[-1] = (venue, want[-1][1], max(want[-1][2], end))
        else:
            want.append((venue, start, end))
    assert got == want


def test_merged_windows_name_their_venues_in_code_point_order() -> None:
    got = merged_windows([Interval("a", "b", 5, 9), Interval("b", "B", 0, 1), Interval("c", "b", 9, 12)])
    assert got == [("B", 0, 1), ("b", 5, 12)]
    assert merged_windows([]) == []


pairs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.sampled_from([1, 2, 3, 5])), max_size=40)


@settings(max_examples=500, deadline=None)
@given(pairs)
def test_the_strongest_source_has_the_largest_sum_and_ties_go_to_the_smaller_code(
    rows: list[tuple[int, int, int]],
) -> None:
    person, source, micros = (ints([r[i] for r in rows]) for i in range(3))
    totals: dict[int, dict[int, int]] = {}
    for p, s, m in rows:
        totals.setdefault(p, {}).setdefault(s, 0)
        totals[p][s] += m
    want_best = [min(totals[p], key=lambda s: (-totals[p][s], s)) if p in totals else -1 for p in range(4)]
    want_total = [totals[p][want_best[p]] if p in totals else 0 for p in range(4)]
    for strongest in (strongest_sources, strongest_sources_dense, strongest_sources_sorted):
        best, total = strongest(person, source, micros, 4, 5)
        assert best.tolist() == want_best
        assert total.tolist() == want_total


def test_name_tables_are_made_distinct_and_sorted_by_code_point() -> None:
    names, codes = sorted_names(["b", "a", "B", "a"], ints([0, 1, 2, 3, 0]))
    assert names == ["B", "a", "b"]
    assert [names[c] for c in codes] == ["b", "a", "B", "a", "b"]
    names, codes = distinct_names(["b", "a", "b"], ints([2, 1, 0]))
    assert names == ["b", "a"] and [names[c] for c in codes] == ["b", "a", "b"]
    table = ["x", "y"]
    assert distinct_names(table, ints([1]))[0] == table


def test_a_batch_checks_its_columns_and_gives_back_its_intervals() -> None:
    intervals = [Interval("p", "v", 1, 2), Interval("q", "v", 2, 5), Interval("p", "w", 3, 4)]
    batch = IntervalBatch.of(intervals)
    assert len(batch) == 3 and list(batch) == intervals
    assert list(IntervalBatch.empty()) == []
    with pytest.raises(ValueError, match="person codes"):
        IntervalBatch(["p"], ["v"], [1], [0], [1], [2])
    with pytest.raises(ValueError, match="one length"):
        IntervalBatch(["p"], ["v"], [0], [0], [1, 2], [2])


def test_the_garbage_collector_is_paused_only_while_a_result_is_built() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()
