"""`checkins.next_scanned_at` stays equal to its definition whatever writes it and in what order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support import facts as f
from venuecode.access.ratelimit import Limiter
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.ingest.service import import_file
from venuecode.scans.models import Checkin
from venuecode.scans.service import scan
from venuecode.scans.store import Attempt, SqlCheckinStore
from venuecode.scans.succession import relink, relink_all
from venuecode.timeutil import from_micros, to_micros
from venuecode.venues import service as venues

T0 = 1_650_000_000_000_000
STEP = 60_000_000


def defined(db: Session) -> dict[int, int | None]:
    """The definition, in Python: per row the smallest later instant of the same person,
    or its own instant when the person has a row at that instant at another venue."""
    rows = db.execute(text("SELECT id, id_number, venue_pk, scanned_at FROM checkins")).all()
    out: dict[int, int | None] = {}
    for rid, person, venue, t in rows:
        later = [u for _i, p, v, u in rows if p == person and (u > t or (u == t and v != venue))]
        out[rid] = min(later, default=None)
    return out


def stored(db: Session) -> dict[int, int | None]:
    return {rid: nxt for rid, nxt in db.execute(text("SELECT id, next_scanned_at FROM checkins"))}


def three_venues(db: Session) -> list[int]:
    return [factories.venue(db, name=f"场所{i}").id for i in range(3)]


checkin_draws = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 2), st.integers(0, 12)),
    min_size=1, max_size=25, unique=True)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(draws=checkin_draws, group=st.integers(1, 6), purge_before=st.integers(0, 13))
def test_any_arrival_order_and_grouping_gives_the_definition(
        db: Session, draws: list[tuple[str, int, int]], group: int, purge_before: int) -> None:
    nested = db.begin_nested()
    try:
        pks = three_venues(db)
        # Arrival in the order drawn (not by time), in groups, like offline queues and
        # import chunks: same instants at two venues, late check-ins, repeats.
        for i in range(0, len(draws), group):
            chunk = draws[i:i + group]
            db.add_all(Checkin(id_number=p, venue_pk=pks[v], scanned_at=from_micros(T0 + k * STEP))
                       for p, v, k in chunk)
            db.flush()
            relink(db.connection(), [(p, T0 + k * STEP) for p, _v, k in chunk])
        assert stored(db) == defined(db)
        # Retention deletes by age: what stays is still right without relinking.
        db.execute(text("DELETE FROM checkins WHERE scanned_at < :t"), {"t": T0 + purge_before * STEP})
        assert stored(db) == defined(db)
    finally:
        nested.rollback()


def test_relink_all_repairs_every_row(db: Session) -> None:
    pks = three_venues(db)
    db.add_all(Checkin(id_number=p, venue_pk=pks[v], scanned_at=from_micros(T0 + k * STEP))
               for p, v, k in [("A", 0, 0), ("A", 1, 0), ("A", 2, 5), ("B", 0, 3), ("B", 0, 9)])
    db.flush()
    assert set(stored(db).values()) == {None}
    assert relink_all(db.connection()) == 5
    assert stored(db) == defined(db)
    assert sorted(v for v in stored(db).values() if v is not None) == [T0, T0, T0 + 9 * STEP]


def test_a_scan_links_the_persons_previous_check_in(db: Session, settings: Settings, clock: FixedClock) -> None:
    number = factories.id_number(31)
    now = clock.now()
    f.healthy(db, number, now)
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    first, second = factories.venue(db, name="早餐店"), factories.venue(db, name="地铁站")
    for venue, at in ((first, now), (second, now + timedelta(minutes=12))):
        url = signer.url(venues.venue_token(signer, venue) or "")
        outcome = scan(db, settings, signer, number, "张三", url, at, flood_key=f"succession:{at}",
                       limiter=Limiter.memory())
        assert outcome.decision.verdict == "pass"
    rows = db.execute(select(Checkin.venue_pk, Checkin.next_scanned_at).where(Checkin.id_number == number)
                      .order_by(Checkin.scanned_at)).all()
    assert rows == [(first.id, now + timedelta(minutes=12)), (second.id, None)]


def test_imports_in_any_order_link_across_files(db: Session, tmp_path: Path) -> None:
    """A later file with earlier check-ins (a late delivery) relinks the rows already there."""
    factories.venue(db, name="V1", venue_id="V1")
    factories.venue(db, name="V2", venue_id="V2")
    number = factories.id_number(32)
    day = datetime(2022, 4, 18, tzinfo=UTC)

    def write(name: str, rows: list[tuple[str, int]]) -> Path:
        path = tmp_path / name
        lines = ["id_number,venue_id,scanned_at,checked_out_at"]
        lines += [f"{number},{v},{(day + timedelta(hours=h)).isoformat()}," for v, h in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    import_file(db, "checkins", write("late.csv", [("V1", 9), ("V2", 12)]))
    import_file(db, "checkins", write("early.csv", [("V2", 8), ("V1", 10), ("V1", 12)]), chunk=2)
    db.expire_all()
    assert stored(db) == defined(db)
    got = db.execute(select(Checkin.scanned_at, Checkin.next_scanned_at).where(Checkin.id_number == number)
                     .order_by(Checkin.scanned_at, Checkin.venue_pk)).all()
    hours = [(to_micros(a) - to_micros(day)) // 3_600_000_000 for a, _n in got]
    nexts = [None if n is None else (to_micros(n) - to_micros(day)) // 3_600_000_000 for _a, n in got]
    assert hours == [8, 9, 10, 12, 12]
    assert nexts == [9, 10, 12, 12, 12]  # the two 12:00 rows mark each other (same instant)


def test_a_reimport_changes_nothing(db: Session, tmp_path: Path) -> None:
    factories.venue(db, name="V1", venue_id="V1")
    path = tmp_path / "c.csv"
    number = factories.id_number(33)
    path.write_text("id_number,venue_id,scanned_at,checked_out_at\n"
                    f"{number},V1,2022-04-18T08:00:00+08:00,\n{number},V1,2022-04-18T09:00:00+08:00,\n",
                    encoding="utf-8")
    import_file(db, "checkins", path)
    before = stored(db)
    # A stale value would be repaired by the next write touching the person, not kept.
    db.execute(update(Checkin).values(next_scanned_at=None))
    import_file(db, "checkins", path)
    assert stored(db) == before == defined(db)


def test_two_transactions_adding_one_persons_check_ins_at_once_both_link(engine: Engine) -> None:
    """PostgreSQL: the second writer waits for the first (per-person lock) before reading,
    so neither misses the other's row. Without the lock it computes from a snapshot without
    the first row and overwrites the predecessor's value with its own, later, instant."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    person = "CONCURRENT-" + factories.id_number(41)[-7:]
    t0, t1, t2 = T0, T0 + 10 * STEP, T0 + 20 * STEP
    with engine.begin() as c:
        venue = c.execute(text(
            "INSERT INTO venues (venue_id, name, category, district, address, manager_name, manager_phone,"
            " status, code_issue, created_at) VALUES (:v, 'v', 'market', '', '', '', '', 'approved', 1, 0)"
            " RETURNING id"), {"v": person}).scalar_one()
    insert = text("INSERT INTO checkins (id_number, venue_pk, scanned_at, channel) VALUES (:p, :v, :t, 'scan')")
    try:
        with engine.begin() as c:
            c.execute(insert, {"p": person, "v": venue, "t": t0})
            relink(c, [(person, t0)])
        first, second = engine.connect(), engine.connect()
        pid = second.execute(text("SELECT pg_backend_pid()")).scalar_one()
        second.rollback()
        first.execute(insert, {"p": person, "v": venue, "t": t1})
        relink(first, [(person, t1)])

        def other_writer() -> None:
            second.execute(insert, {"p": person, "v": venue, "t": t2})
            relink(second, [(person, t2)])
            second.commit()

        worker = threading.Thread(target=other_writer)
        worker.start()
        # Commit the first only once the second is blocked on a lock (no sleeps as timing).
        with engine.connect() as probe:
            for _ in range(1000):
                waiting = probe.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                                        {"pid": pid}).scalar()
                if waiting == "Lock":
                    break
                probe.rollback()
            assert waiting == "Lock"
        first.commit()
        worker.join(timeout=30)
        first.close()
        second.close()
        with engine.connect() as c:
            rows = c.execute(text("SELECT scanned_at, next_scanned_at FROM checkins WHERE id_number = :p"
                                  " ORDER BY scanned_at"), {"p": person}).all()
        assert [tuple(r) for r in rows] == [(t0, t1), (t1, t2), (t2, None)]
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM checkins WHERE id_number = :p"), {"p": person})
            c.execute(text("DELETE FROM venues WHERE id = :v"), {"v": venue})


DAY = 86_400_000_000


# Days around today whose differences hit the span's edges (28 and 29 days back, 3 to 5
# ahead of a check-in's day), and days outside the partitions (older than 28 days, the
# default partition).
SPAN_DAYS = [-40, -30, -29, -28, -27, -2, -1, 0, 1, 3, 4, 5]


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(draws=st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 2),
                                st.sampled_from(SPAN_DAYS), st.integers(0, 2)),
                      min_size=1, max_size=15, unique=True))
def test_the_scans_relink_across_days_gives_the_definition(
        db: Session, draws: list[tuple[str, int, int, int]]) -> None:
    """The live path's one-statement relink (`relink_one_sql`: a span of days around the
    check-in's day, then beyond it) on days around today, in and outside the day
    partitions and the span, arriving in any order."""
    nested = db.begin_nested()
    try:
        pks = three_venues(db)
        today = to_micros(datetime.now(UTC)) // DAY * DAY
        checkins = SqlCheckinStore(db.connection())
        for p, v, d, k in draws:
            checkins.add_checkin(Attempt(p, pks[v], None, from_micros(today + d * DAY + k * STEP)))
        assert stored(db) == defined(db)
    finally:
        nested.rollback()
