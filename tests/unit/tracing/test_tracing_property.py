"""Random small cities: the engine over InMemorySource agrees with the brute-force reference."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Collection, Sequence
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venuecode.tracing import engine, intervals
from venuecode.tracing.core import Case, Presence, TraceOptions, TraceResult, presence_intervals, trace
from venuecode.tracing.memory import InMemorySource
from venuecode.tracing.types import IntervalBatch

from .reference import RefResult, ref_presence, ref_trace

T0 = 1_650_000_000_000_000  # 2022-04-15, so times are realistic big ints
STEP = 5 * 60_000_000  # a 5-minute grid: equal times, touching edges and ties are common
PERSONS = ["a", "B", "c", "D", "e", "F", "g", "h"]  # mixed case: code-point order matters
VENUES = ["v1", "V2", "v10", "w"]


def grid(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi).map(lambda k: T0 + k * STEP)


def _checkin(draw: st.DrawFn, person: str, venue: str, step: int) -> Presence:
    exit_steps = draw(st.sampled_from([None, None, None, None, -1, 0, 1, 2, 3, 4, 6, 8]))
    t = T0 + step * STEP
    return Presence(person, venue, t, None if exit_steps is None else t + exit_steps * STEP)


@st.composite
def cities(draw: st.DrawFn) -> tuple[list[Presence], dict[str, float], list[Case], TraceOptions]:
    # Dense on purpose: few venues, a short day, long stays, so that chains of contacts
    # (secondary, tertiary) and exact-threshold exposures turn up often.
    dwell = {v: draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60, 2.5])) for v in VENUES}
    venues = draw(st.lists(st.sampled_from(VENUES), min_size=1, max_size=4, unique=True))
    persons = draw(st.lists(st.sampled_from(PERSONS), min_size=3, max_size=8, unique=True))
    checkins: list[Presence] = []
    relay = draw(st.booleans())
    if relay:
        # A relay: person i meets person i + 1 a little later each time, so chains of
        # secondary, tertiary and tier4 contacts are common, not a rare accident.
        t = draw(st.integers(0, 6))
        for first, second in itertools.pairwise(persons):
            venue = draw(st.sampled_from(venues))
            checkins.append(_checkin(draw, first, venue, t))
            checkins.append(_checkin(draw, second, venue, t + draw(st.integers(0, 1))))
            t += draw(st.integers(1, 5))
    else:
        # Itineraries: each person walks from venue to venue.
        for person in persons:
            t = draw(st.integers(0, 10))
            for _ in range(draw(st.integers(0, 4))):
                checkins.append(_checkin(draw, person, draw(st.sampled_from(venues)), t))
                t += draw(st.integers(1, 8))
    # Plus a few scans anywhere: same-instant duplicates, repeated scans, overlaps.
    for _ in range(draw(st.integers(0, 6))):
        checkins.append(
            _checkin(
                draw,
                draw(st.sampled_from(persons)),
                draw(st.sampled_from(venues)),
                draw(st.integers(0, 24)),
            )
        )
    # Mostly people who were somewhere; sometimes anyone (a case without check-ins).
    seen = sorted({c.person for c in checkins}) or persons
    pool = seen if draw(st.integers(0, 4)) else persons
    if relay and draw(st.integers(0, 3)):
        pool = persons[:1]
    case_persons = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
    cases = [
        Case(p, draw(grid(0, 40)), draw(grid(0, 45)) if draw(st.integers(0, 3)) == 0 else None) for p in case_persons
    ]
    isolated_contacts = draw(st.dictionaries(st.sampled_from(persons), grid(0, 45), max_size=3))
    options = TraceOptions(
        as_of=draw(grid(20, 45) | grid(0, 45)),
        # Fractions of a day that are whole grid steps (and one that is not): 0, 45, 90,
        # 180 minutes, 4 days.
        look_back_days=draw(st.sampled_from([4] * 6 + [0, 1 / 32, 1 / 16, 1 / 8, 0.01])),
        close_minutes=draw(st.sampled_from([15, 10, 5, 5, 12.5, 0.5, 30])),
        depth=draw(st.sampled_from([1, 2, 2, 3, 3, 4])),
        contact_isolated=isolated_contacts,
    )
    return checkins, dwell, cases, options


def _dwell(table: dict[str, float]) -> Callable[[str], float]:
    return lambda venue: table[venue]


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_engine_agrees_with_the_brute_force_reading_of_the_rules(
    city: tuple[list[Presence], dict[str, float], list[Case], TraceOptions],
) -> None:
    checkins, table, cases, options = city
    dwell = _dwell(table)
    expected = ref_trace(checkins, dwell, cases, options)
    result = trace(cases, InMemorySource(checkins, dwell), options)
    _assert_agrees(result, expected)


def _assert_agrees(result: TraceResult, expected: RefResult) -> None:
    got = [(c.person, c.tier, c.source) for c in result.contacts]
    want = [(c.person, c.tier, c.source) for c in expected.contacts]
    assert got == want
    for g, w in zip(result.contacts, expected.contacts, strict=True):
        assert abs(g.exposure_minutes - w.exposure_minutes) <= 1e-9
        assert [(e.venue, e.start, e.end) for e in g.evidence] == w.evidence
        assert all(abs(e.minutes - (e.end - e.start) / 60_000_000) <= 1e-9 for e in g.evidence)
    assert [(v.venue, [(i.person, i.start, i.end) for i in v.intervals]) for v in result.venues] == expected.venues
    assert [(c.person, c.window_start, c.window_end) for c in result.cases] == expected.windows


class MessySource:
    """A source doing what the protocol allows: rows in any order and each one twice,
    name tables in any order with names repeated, and other people's intervals too."""

    def __init__(self, inner: InMemorySource, rnd: random.Random) -> None:
        self._inner = inner
        self._rnd = rnd

    def intervals_of(self, persons: Collection[str], start: int, end: int) -> IntervalBatch:
        return self._mess(self._inner.intervals_of(persons, start, end))

    def intervals_at(self, windows: Sequence[tuple[str, int, int]]) -> IntervalBatch:
        return self._mess(self._inner.intervals_at(windows))

    def _mess(self, batch: IntervalBatch) -> IntervalBatch:
        rnd = self._rnd
        rows = list(batch) * 2 + rnd.sample(self._inner.intervals, min(3, len(self._inner.intervals)))
        rnd.shuffle(rows)
        persons = [iv.person for iv in rows] + ["nobody"]
        venues = [iv.venue for iv in rows]
        rnd.shuffle(persons)
        rnd.shuffle(venues)
        person_codes = {p: [i for i, q in enumerate(persons) if q == p] for p in persons}
        venue_codes = {v: [i for i, w in enumerate(venues) if w == v] for v in venues}
        return IntervalBatch(
            persons,
            venues,
            [rnd.choice(person_codes[iv.person]) for iv in rows],
            [rnd.choice(venue_codes[iv.venue]) for iv in rows],
            [iv.start for iv in rows],
            [iv.end for iv in rows],
        )


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities(), st.randoms(use_true_random=False), st.sampled_from([1, 2, 5, 2_000_000]),
       st.sampled_from([0, 3, 40, 4_000_000]))
def test_engine_agrees_however_the_source_returns_rows_and_pairs_are_chunked(
    city: tuple[list[Presence], dict[str, float], list[Case], TraceOptions],
    rnd: random.Random,
    max_pairs: int,
    dense_cells: int,
) -> None:
    # Tiny chunks cut between almost every person; dense_cells 0 forces the sort of the
    # pairs, small values mix dense tables and sorts between chunks.
    checkins, table, cases, options = city
    dwell = _dwell(table)
    expected = ref_trace(checkins, dwell, cases, options)
    source = MessySource(InMemorySource(checkins, dwell), rnd)
    with (
        patch.object(engine, "MAX_PAIRS", max_pairs),
        patch.object(engine, "DENSE_CELLS", dense_cells),
        patch.object(intervals, "DENSE_CELLS", dense_cells),
    ):
        result = trace(cases, source, options)
    _assert_agrees(result, expected)


@settings(max_examples=100, deadline=None, database=None)
@given(cities())
def test_presence_intervals_agree_with_the_literal_rule_2(
    city: tuple[list[Presence], dict[str, float], list[Case], TraceOptions],
) -> None:
    checkins, table, _cases, _options = city
    dwell = _dwell(table)
    want = sorted(iv for iv in ref_presence(checkins, dwell) if iv.end > iv.start)
    assert sorted(presence_intervals(checkins, dwell)) == want


@settings(max_examples=100, deadline=None, database=None)
@given(
    cities(),
    grid(-5, 40),
    st.integers(0, 20).map(lambda k: k * STEP // 2),
    st.sampled_from([-1, 0, 1]),  # one microsecond off the grid: edges off by one
)
def test_in_memory_source_returns_exactly_the_intersecting_intervals(
    city: tuple[list[Presence], dict[str, float], list[Case], TraceOptions],
    start: int,
    length: int,
    nudge: int,
) -> None:
    checkins, table, _cases, _options = city
    dwell = _dwell(table)
    source = InMemorySource(checkins, dwell)
    everything = presence_intervals(checkins, dwell)
    start += nudge
    end = start + length

    def hits(iv_start: int, iv_end: int) -> bool:
        return iv_start < end and iv_end > start

    persons = PERSONS[:3]
    assert sorted(source.intervals_of(persons, start, end)) == sorted(
        iv for iv in everything if iv.person in persons and hits(iv.start, iv.end)
    )
    windows = [(v, start, end) for v in VENUES[:2]]
    assert sorted(source.intervals_at(windows)) == sorted(
        iv for iv in everything if iv.venue in VENUES[:2] and hits(iv.start, iv.end)
    )
