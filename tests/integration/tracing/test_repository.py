"""DbPresenceSource on the test database (SQLite, or PostgreSQL with VENUECODE_TEST_DATABASE_URL):
the engine over it agrees with the brute-force reference on random small cities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.unit.tracing.reference import ref_trace
from tests.unit.tracing.test_tracing_property import PERSONS, STEP, T0, VENUES, cities, grid
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink
from venuecode.timeutil import from_micros
from venuecode.tracing.core import Case, Interval, Presence, TraceOptions, presence_intervals, trace
from venuecode.tracing.repository import DbPresenceSource
from venuecode.venues.models import Venue

MIN = 60_000_000
City = tuple[list[Presence], dict[str, float], list[Case], TraceOptions]


def store(session: Session, checkins: Iterable[Presence], venues: Iterable[str] = VENUES,
          dwell: dict[str, int | None] | None = None) -> None:
    """Venues and check-ins into the database; exact duplicates (person, venue, instant)
    keep the earliest exit scan, as the unique key and the engine's documented reading do."""
    pks = {}
    for v in venues:
        row = Venue(venue_id=v, name=f"venue {v}", category="restaurant", status="approved",
                    code_issue=1, created_at=datetime(2022, 1, 1, tzinfo=UTC),
                    dwell_minutes=(dwell or {}).get(v))
        session.add(row)
        session.flush()
        pks[v] = row.id
    kept: dict[tuple[str, str, int], Presence] = {}
    for c in checkins:
        key = (c.person, c.venue, c.scanned_at)
        old = kept.get(key)
        if old is None or _exit_key(c) < _exit_key(old):
            kept[key] = c
    # One at a time in the order drawn (not by time), each followed by the write paths'
    # `relink`: the stored next check-in must come out right whatever the arrival order.
    for c in kept.values():
        session.add(Checkin(id_number=c.person, venue_pk=pks[c.venue], scanned_at=from_micros(c.scanned_at),
                            checked_out_at=None if c.checked_out_at is None else from_micros(c.checked_out_at)))
        session.flush()
        relink(session.connection(), [(c.person, c.scanned_at)])


def _exit_key(c: Presence) -> tuple[bool, int]:
    return (c.checked_out_at is None, c.checked_out_at or 0)


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cities())
def test_engine_on_the_database_agrees_with_the_brute_force_reference(db: Session, city: City) -> None:
    checkins, table, cases, options = city
    nested = db.begin_nested()
    try:
        store(db, checkins)
        expected = ref_trace(checkins, table.__getitem__, cases, options)
        result = trace(cases, DbPresenceSource(db, table), options)
    finally:
        nested.rollback()
    assert [(c.person, c.tier, c.source) for c in result.contacts] == [
        (c.person, c.tier, c.source) for c in expected.contacts]
    for g, w in zip(result.contacts, expected.contacts, strict=True):
        assert abs(g.exposure_minutes - w.exposure_minutes) <= 1e-9
        assert [(e.venue, e.start, e.end) for e in g.evidence] == w.evidence
    assert [(v.venue, [(i.person, i.start, i.end) for i in v.intervals]) for v in result.venues] == expected.venues


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cities(), grid(-5, 40), st.integers(0, 20).map(lambda k: k * STEP // 2), st.sampled_from([-1, 0, 1]))
def test_the_source_returns_every_intersecting_interval_and_only_true_ones(
    db: Session, city: City, start: int, length: int, nudge: int
) -> None:
    checkins, table, _cases, _options = city
    start += nudge  # one microsecond off the grid: window edges off by one
    end = start + length
    everything = presence_intervals(_dedupe(checkins), table.__getitem__)
    nested = db.begin_nested()
    try:
        store(db, checkins)
        source = DbPresenceSource(db, table)
        of = source.intervals_of(PERSONS[:4], start, end)
        at = source.intervals_at([(v, start, end) for v in VENUES[:3]] + [("no-such-venue", start, end)])
    finally:
        nested.rollback()

    def hits(iv: Interval) -> bool:
        return iv.start < end and iv.end > start

    assert sorted(set(of)) == sorted(iv for iv in everything if iv.person in PERSONS[:4] and hits(iv))
    assert sorted(set(at)) == sorted(iv for iv in everything if iv.venue in VENUES[:3] and hits(iv))


def _dedupe(checkins: list[Presence]) -> list[Presence]:
    kept: dict[tuple[str, str, int], Presence] = {}
    for c in checkins:
        key = (c.person, c.venue, c.scanned_at)
        if key not in kept or _exit_key(c) < _exit_key(kept[key]):
            kept[key] = c
    return list(kept.values())


def at(minutes: int) -> int:
    return T0 + minutes * MIN


def test_the_next_check_in_at_another_venue_ends_a_stay_even_outside_the_window(db: Session) -> None:
    store(db, [Presence("p", "v1", at(0)), Presence("p", "w", at(20))])
    source = DbPresenceSource(db, {"v1": 60, "w": 60})
    # The window covers only the first check-in; the next one still ends it at minute 20.
    assert list(source.intervals_at([("v1", at(0), at(5))])) == [Interval("p", "v1", at(0), at(20))]
    assert list(source.intervals_of(["p"], at(0), at(5))) == [Interval("p", "v1", at(0), at(20))]


def test_an_exit_scan_ends_a_stay_and_dwell_comes_from_the_venue_or_its_category(db: Session) -> None:
    store(db, [Presence("p", "v1", at(0), at(10)), Presence("q", "V2", at(0)), Presence("r", "w", at(0))],
          dwell={"V2": 25})
    source = DbPresenceSource(db)  # no override: restaurant default 90 min, V2's own 25
    got = sorted(source.intervals_at([("v1", at(0), at(1)), ("V2", at(0), at(1)), ("w", at(0), at(1))]))
    assert got == [Interval("p", "v1", at(0), at(10)), Interval("q", "V2", at(0), at(25)),
                   Interval("r", "w", at(0), at(90))]


def test_same_instant_scans_keep_the_smallest_venue_id_by_code_point(db: Session) -> None:
    # "V2" < "v1" by code point (upper case first), whatever the database collation says.
    store(db, [Presence("p", "v1", at(0)), Presence("p", "V2", at(0)), Presence("p", "w", at(30))])
    source = DbPresenceSource(db, {"v1": 60, "V2": 60, "w": 60})
    assert list(source.intervals_at([("v1", at(0), at(60))])) == []
    assert list(source.intervals_at([("V2", at(0), at(60))])) == [Interval("p", "V2", at(0), at(30))]
    assert sorted(source.intervals_of(["p"], at(0), at(60))) == [
        Interval("p", "V2", at(0), at(30)), Interval("p", "w", at(30), at(90))]


def test_window_edges_are_half_open(db: Session) -> None:
    store(db, [Presence("p", "v1", at(10), at(20))])
    source = DbPresenceSource(db, {"v1": 60})
    assert list(source.intervals_at([("v1", at(20), at(30))])) == []  # ends where the window starts
    assert list(source.intervals_at([("v1", at(0), at(10))])) == []  # starts where the window ends
    assert list(source.intervals_at([("v1", at(19), at(30))])) == [Interval("p", "v1", at(10), at(20))]
    assert list(source.intervals_of(["p"], at(0), at(10) + 1)) == [Interval("p", "v1", at(10), at(20))]


def test_a_case_trace_on_the_database_finds_a_close_contact(db: Session) -> None:
    store(db, [Presence("case", "v1", at(0)), Presence("k", "v1", at(5)), Presence("g", "v1", at(50))])
    result = trace([Case("case", at(0))], DbPresenceSource(db, {"v1": 60}), TraceOptions(as_of=at(600), depth=1))
    assert [(c.person, c.tier, c.exposure_minutes) for c in result.contacts] == [
        ("k", "close", 55.0), ("g", "general", 10.0)]
