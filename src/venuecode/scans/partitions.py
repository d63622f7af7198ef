"""Day partitions of `checkins` and `denied_attempts` on PostgreSQL (SQLite: plain tables).

Both tables are `PARTITION BY RANGE` on their time column (BIGINT microseconds, UTC),
one partition per **UTC day** (`checkins_p20220419` holds 2022-04-19T00:00Z up to the next
midnight UTC) plus a DEFAULT partition (`checkins_default`) that takes any row no day
partition covers, so a write never fails for want of a partition. UTC, not the days of
VENUECODE_TIMEZONE: a partition's bounds are fixed when it is created, and a changed
setting (or a zone with daylight saving) would make new days overlap old ones.

`maintain` creates the days from the retention edge to `AHEAD_DAYS` ahead (at `venuecode
serve`, `db upgrade`, `db partitions` and the daily `retention purge`). A day whose rows
already sit in the default partition is created beside it, filled from it and attached
in one transaction. ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on the parent (scans
and reads go on); dropping a partition needs a moment of ACCESS EXCLUSIVE, so both run
under `lock_timeout` and give up rather than queue every scan behind a long trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from venuecode.timeutil import to_micros

# Partitioned table -> its partition key (an `Instant` column).
PARTITIONED = {"checkins": "scanned_at", "denied_attempts": "attempted_at"}
DAY_MICROS = 86_400_000_000
# Days made ahead of today: two missed daily runs are covered (the default partition takes
# the rest). Not more: every partition adds to what a scan's relink statement plans and
# starts on PostgreSQL 15 (~9 us of server CPU each, bench/scan/README.md).
AHEAD_DAYS = 3
# How long maintenance waits for a table lock before giving up (the next run retries).
LOCK_TIMEOUT = "5s"

_EPOCH = date(1970, 1, 1)
_BOUND = re.compile(r"FOR VALUES FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")
# Partition children are not in the models: the schema comparison skips these names.
CHILD_NAME = re.compile(r"^(%s)_(p\d{8}|default)$" % "|".join(PARTITIONED))  # noqa: UP031


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    lo: int | None  # micros, inclusive; None for the default partition
    hi: int | None  # micros, exclusive

    @property
    def is_default(self) -> bool:
        return self.lo is None


def day_of(micros: int) -> date:
    return _EPOCH + timedelta(days=micros // DAY_MICROS)


def day_bounds(day: date) -> tuple[int, int]:
    lo = (day - _EPOCH).days * DAY_MICROS
    return lo, lo + DAY_MICROS


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def default_name(table: str) -> str:
    return f"{table}_default"


def is_partitioned(connection: Connection, table: str = "checkins") -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar()
    return bool(kind == "p")


def partitions(connection: Connection, table: str) -> list[Partition]:
    """The table's partitions, ordered by range, the default last."""
    rows = connection.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"),
        {"t": table}).all()
    found = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        lo, hi = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        found.append(Partition(table, name, lo, hi))
    return sorted(found, key=lambda p: (p.lo is None, p.lo or 0))


def _lock_timeout(connection: Connection) -> None:
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def ensure_day(connection: Connection, table: str, day: date,
               existing: list[Partition] | None = None) -> bool:
    """Create the day's partition unless a partition overlaps it; True when created.

    Rows of that day already in the default partition move into the new partition, in the
    caller's transaction, so ATTACH (which checks the default holds none) succeeds.
    """
    lo, hi = day_bounds(day)
    existing = partitions(connection, table) if existing is None else existing
    if any(p.lo is not None and p.hi is not None and p.lo < hi and lo < p.hi for p in existing):
        return False
    column = PARTITIONED[table]
    name = partition_name(table, day)
    _lock_timeout(connection)
    connection.execute(text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)"))
    default = default_name(table)
    if any(p.name == default for p in existing):
        in_range = f"{column} >= {lo} AND {column} < {hi}"
        connection.execute(text(f"INSERT INTO {name} SELECT * FROM {default} WHERE {in_range}"))  # noqa: S608
        connection.execute(text(f"DELETE FROM {default} WHERE {in_range}"))  # noqa: S608
    connection.execute(text(
        f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({lo}) TO ({hi})"))
    return True


def ensure_default(connection: Connection, table: str) -> bool:
    name = default_name(table)
    if connection.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
        return False
    _lock_timeout(connection)
    connection.execute(text(f"CREATE TABLE {name} PARTITION OF {table} DEFAULT"))
    return True


def ensure_days(connection: Connection, first: date, last: date) -> list[str]:
    """Create the missing day partitions first..last (inclusive) of both tables."""
    created: list[str] = []
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        if ensure_default(connection, table):
            created.append(default_name(table))
        existing = partitions(connection, table)
        day = first
        while day <= last:
            if ensure_day(connection, table, day, existing):
                created.append(partition_name(table, day))
            day += timedelta(days=1)
    return created


def window(now: datetime, keep_days: int, ahead_days: int = AHEAD_DAYS) -> tuple[date, date]:
    """The days a row may still be kept in (from the retention edge) to `ahead_days` ahead."""
    today = day_of(to_micros(now))
    edge = day_of(to_micros(now - timedelta(days=keep_days)))
    return edge, today + timedelta(days=ahead_days)


def maintain(connection: Connection, now: datetime, keep_days: int,
             ahead_days: int = AHEAD_DAYS) -> list[str]:
    """Create the partitions of the retention window and the days ahead; names created."""
    if connection.dialect.name != "postgresql":
        return []
    first, last = window(now, keep_days, ahead_days)
    return ensure_days(connection, first, last)


def maintain_engine(engine: Engine, now: datetime, keep_days: int,
                    ahead_days: int = AHEAD_DAYS) -> list[str]:
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as connection:
        return maintain(connection, now, keep_days, ahead_days)


def expired(connection: Connection, table: str, cutoff: int) -> list[Partition]:
    """Day partitions entirely before `cutoff` (micros): dropped whole by the purge."""
    return [p for p in partitions(connection, table) if p.hi is not None and p.hi <= cutoff]


def drop(connection: Connection, partition: Partition) -> int:
    """Drop one partition; returns the rows it held."""
    rows = int(connection.execute(text(f"SELECT count(*) FROM ONLY {partition.name}")).scalar() or 0)  # noqa: S608
    _lock_timeout(connection)
    connection.execute(text(f"DROP TABLE {partition.name}"))
    return rows


def row_counts(connection: Connection, table: str) -> dict[str, int]:
    """Rows per partition for `venuecode db partitions`: the planner's estimate for the
    days (a count of each would read the whole table), an exact count for the default
    partition, which should stay near empty."""
    counts = {name: max(int(n), 0) for name, n in connection.execute(text(
        "SELECT c.relname, c.reltuples FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass(:t)"), {"t": table})}
    default = default_name(table)
    if default in counts:
        counts[default] = int(connection.execute(
            text(f"SELECT count(*) FROM ONLY {default}")).scalar() or 0)  # noqa: S608
    return counts
