"""Day partitions of checkins and denied_attempts on PostgreSQL; plain tables on SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support import factories
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.retention.service import purge
from venuecode.scans import partitions
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.timeutil import to_micros


def _on_postgres(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps plain tables")


def _home(db: Session, name: str) -> list[tuple[str, int]]:
    """(partition, id) of the check-ins of person `name`, by time."""
    return [(r[0], r[1]) for r in db.execute(text(
        "SELECT tableoid::regclass::text, id FROM checkins WHERE id_number = :p ORDER BY scanned_at"),
        {"p": name})]


def test_sqlite_keeps_plain_tables(db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL partitions")
    connection = db.connection()
    assert not partitions.is_partitioned(connection)
    assert partitions.maintain(connection, datetime.now(UTC), 28) == []


def test_both_tables_are_partitioned_with_the_time_in_the_primary_key(db: Session) -> None:
    _on_postgres(db)
    connection = db.connection()
    for table, column in partitions.PARTITIONED.items():
        assert partitions.is_partitioned(connection, table)
        key = connection.execute(text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = to_regclass(:t) AND contype = 'p'"), {"t": table}).scalar()
        assert key == f"PRIMARY KEY (id, {column})"
        names = [p.name for p in partitions.partitions(connection, table)]
        # create_schema made the days of the retention window and the days ahead
        today = datetime.now(UTC).date()
        for day in (today - timedelta(days=27), today, today + timedelta(days=partitions.AHEAD_DAYS)):
            assert partitions.partition_name(table, day) in names
        assert names[-1] == f"{table}_default"


def test_a_row_of_a_day_without_partition_lands_in_the_default(db: Session) -> None:
    _on_postgres(db)
    venue = factories.venue(db)
    person = factories.id_number(611)
    db.add(Checkin(id_number=person, venue_pk=venue.id,
                   scanned_at=datetime(2022, 4, 19, 10, tzinfo=UTC)))
    db.flush()
    assert [p for p, _ in _home(db, person)] == ["checkins_default"]


def test_creating_a_day_moves_its_rows_out_of_the_default(db: Session) -> None:
    _on_postgres(db)
    venue, other = factories.venue(db), factories.venue(db)
    person = factories.id_number(612)
    at = datetime(2022, 4, 19, 23, 59, 59, 999_999, tzinfo=UTC)  # last instant of the UTC day
    rows = [
        Checkin(id_number=person, venue_pk=venue.id, scanned_at=datetime(2022, 4, 19, tzinfo=UTC),
                next_scanned_at=at, checked_out_at=datetime(2022, 4, 19, 1, tzinfo=UTC)),
        Checkin(id_number=person, venue_pk=other.id, scanned_at=at,
                next_scanned_at=datetime(2022, 4, 20, tzinfo=UTC), channel="import"),
        Checkin(id_number=person, venue_pk=venue.id, scanned_at=datetime(2022, 4, 20, tzinfo=UTC)),
    ]
    db.add_all(rows)
    db.add(DeniedAttempt(id_number=person, venue_pk=venue.id, reasons="health_code_red",
                         attempted_at=datetime(2022, 4, 19, 12, tzinfo=UTC)))
    db.flush()
    before = db.execute(text("SELECT * FROM checkins WHERE id_number = :p ORDER BY id"),
                        {"p": person}).all()
    ids = [r.id for r in rows]

    created = partitions.ensure_days(db.connection(), date(2022, 4, 19), date(2022, 4, 19))

    assert created == ["checkins_p20220419", "denied_attempts_p20220419"]
    assert _home(db, person) == [("checkins_p20220419", ids[0]), ("checkins_p20220419", ids[1]),
                                 ("checkins_default", ids[2])]
    after = db.execute(text("SELECT * FROM checkins WHERE id_number = :p ORDER BY id"),
                       {"p": person}).all()
    assert after == before
    assert db.execute(text("SELECT tableoid::regclass::text FROM denied_attempts"
                           " WHERE id_number = :p"), {"p": person}).scalar() == "denied_attempts_p20220419"
    # Once there, the day takes new rows itself, and creating it again does nothing.
    db.add(Checkin(id_number=person, venue_pk=other.id,
                   scanned_at=datetime(2022, 4, 19, 8, tzinfo=UTC)))
    db.flush()
    assert [p for p, _ in _home(db, person)][1] == "checkins_p20220419"
    assert partitions.ensure_days(db.connection(), date(2022, 4, 19), date(2022, 4, 19)) == []


def test_the_window_runs_from_the_retention_edge_to_three_days_ahead() -> None:
    now = datetime(2022, 4, 19, 8, tzinfo=UTC)
    assert partitions.window(now, 28) == (date(2022, 3, 22), date(2022, 4, 22))
    assert partitions.day_bounds(date(1970, 1, 2)) == (86_400_000_000, 172_800_000_000)
    assert partitions.day_of(86_400_000_000 - 1) == date(1970, 1, 1)


def test_purge_drops_whole_days_and_deletes_rows_only_at_the_edge(db: Session, clock: FixedClock
                                                                  ) -> None:
    _on_postgres(db)
    connection = db.connection()
    now = clock.now()  # 2022-04-19 08:00 UTC: the cut-off is 2022-03-22 08:00 UTC
    cutoff = now - timedelta(days=28)
    assert partitions.ensure_days(connection, date(2022, 3, 20), date(2022, 3, 23))
    venue = factories.venue(db)
    people = {label: factories.id_number(620 + i) for i, label in enumerate(
        ["old_day", "day_before", "edge_old", "edge_new", "next_day", "default_old", "default_new"])}
    times = {
        "old_day": datetime(2022, 3, 20, 12, tzinfo=UTC),
        "day_before": datetime(2022, 3, 21, 23, 59, tzinfo=UTC),
        "edge_old": cutoff - timedelta(hours=1),
        "edge_new": cutoff + timedelta(hours=1),
        "next_day": datetime(2022, 3, 23, 1, tzinfo=UTC),
        "default_old": datetime(2022, 3, 1, tzinfo=UTC),  # no partition: in the default
        "default_new": datetime(2022, 4, 18, tzinfo=UTC),
    }
    for label, at in times.items():
        db.add(Checkin(id_number=people[label], venue_pk=venue.id, scanned_at=at))
        db.add(DeniedAttempt(id_number=people[label], venue_pk=venue.id, attempted_at=at,
                             reasons="health_code_red"))
    db.flush()

    preview = purge(db, Actor.cli(), now, 28, dry_run=True)
    expected_drop = ["checkins_p20220320", "checkins_p20220321",
                     "denied_attempts_p20220320", "denied_attempts_p20220321"]
    assert preview.dropped == expected_drop
    assert preview.counts["checkins"] == 4 and preview.counts["denied_attempts"] == 4
    assert all(connection.execute(text("SELECT to_regclass(:n)"), {"n": n}).scalar()
               for n in expected_drop)

    result = purge(db, Actor.cli(), now, 28)

    assert result.dropped == expected_drop
    assert result.counts["checkins"] == 4 and result.counts["denied_attempts"] == 4
    assert not any(connection.execute(text("SELECT to_regclass(:n)"), {"n": n}).scalar()
                   for n in expected_drop)
    kept = {r[0] for r in db.execute(text("SELECT id_number FROM checkins"))}
    kept_denied = {r[0] for r in db.execute(text("SELECT id_number FROM denied_attempts"))}
    assert kept == kept_denied == {people["edge_new"], people["next_day"], people["default_new"]}
    # The edge day stays: rows after the cut-off live on in it.
    assert [p for p, _ in _home(db, people["edge_new"])] == ["checkins_p20220322"]
    # The daily run also creates the window's days.
    assert "checkins_p20220422" in result.created


def _defined(db: Session) -> dict[int, int | None]:
    rows = db.execute(text("SELECT id, id_number, venue_pk, scanned_at FROM checkins")).all()
    return {rid: min((u for _i, p, v, u in rows if p == person and (u > t or (u == t and v != venue))),
                     default=None) for rid, person, venue, t in rows}


def test_an_import_chunk_links_across_day_partitions_and_the_default(db: Session) -> None:
    """More than LOCKED_PERSONS_MAX persons: the chunk's own bounds query (ordered by day)."""
    import random

    from venuecode.scans.succession import LOCKED_PERSONS_MAX, relink

    _on_postgres(db)
    connection = db.connection()
    for p in partitions.partitions(connection, "checkins"):  # contiguous days only (rolled back)
        if not p.is_default:
            partitions.drop(connection, p)
    partitions.ensure_days(connection, date(2022, 4, 14), date(2022, 4, 16))
    pks = [factories.venue(db).id for _ in range(2)]
    rng = random.Random(3)
    base = datetime(2022, 4, 14, 20, tzinfo=UTC)
    people = [factories.id_number(700 + i) for i in range(LOCKED_PERSONS_MAX + 10)]
    rows = [(p, pks[rng.randrange(2)], base + timedelta(hours=rng.randrange(60)))
            for p in people for _ in range(3)]
    rows += [(people[0], pks[0], datetime(2022, 4, 25, tzinfo=UTC)),  # default partition
             (people[1], pks[1], datetime(2022, 4, 1, tzinfo=UTC))]
    rows = list({(p, t): (p, v, t) for p, v, t in rows}.values())
    rng.shuffle(rows)
    for chunk in (rows[: len(rows) // 2], rows[len(rows) // 2:]):
        db.add_all(Checkin(id_number=p, venue_pk=v, scanned_at=t) for p, v, t in chunk)
        db.flush()
        relink(connection, [(p, to_micros(t)) for p, _v, t in chunk])
    stored = dict(db.execute(text("SELECT id, next_scanned_at FROM checkins")).all())
    assert stored == _defined(db)
    assert {r[0] for r in db.execute(text("SELECT tableoid::regclass::text FROM checkins"))} >= {
        "checkins_default", "checkins_p20220415"}
