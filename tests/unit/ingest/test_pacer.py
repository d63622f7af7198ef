"""How an import chunk is sliced so one SQLite transaction holds the write lock briefly."""

from __future__ import annotations

import pytest

from venuecode.ingest import bulk
from venuecode.ingest.bulk import Pacer


def test_the_next_slice_is_sized_to_half_the_budget_from_the_last_one() -> None:
    pacer = Pacer(0.2, first=1_000)
    pacer.record(1_000, 0.4)  # 2,500 rows/s: half of 0.2 s is 250 rows
    assert pacer.size == 250
    pacer.record(250, 0.025)  # 10,000 rows/s: 1,000, within twice the last slice (500)
    assert pacer.size == 500


def test_slices_never_shrink_below_the_floor_nor_grow_past_the_chunk() -> None:
    pacer = Pacer(0.2, least=50, most=20_000)
    pacer.record(1_000, 60.0)
    assert pacer.size == 50
    for _ in range(20):
        pacer.record(pacer.size, 0.0)
    assert pacer.size == 20_000


def test_a_chunk_is_cut_into_slices_that_cover_it_once_in_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "PAUSE_SECONDS", (0.0, 0.0))
    pacer = Pacer(0.2, first=3, least=3, most=3)
    items = list(range(10))
    parts = [list(part) for part in pacer.slices(items)]
    assert parts == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_without_a_budget_the_chunk_is_one_slice() -> None:
    pacer = Pacer(None)
    items = list(range(50_000))
    assert [len(part) for part in pacer.slices(items)] == [50_000]
    assert list(pacer.slices([])) == []
