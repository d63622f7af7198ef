"""Keep `checkins.next_scanned_at` true: each check-in's next check-in, stored at write time.

Tracing rule 2 ends a presence at the person's next check-in at any venue. Looking that
up per candidate row cost one index probe each and two thirds of a large trace's database
time (bench/tracing/README.md), so every write path stores it instead:

    next_scanned_at(c) = MIN(n.scanned_at) over the same person's check-ins n with
        n.scanned_at > c.scanned_at, or n.scanned_at = c.scanned_at at another venue

NULL when there is none yet. The second clause marks the rare same-instant scans at two
venues (`next_scanned_at == scanned_at`), which the tracing repository settles exactly.
The value depends only on the check-ins at or after `c`, so a new check-in at `t` changes
exactly the person's rows at the latest instant before `t` and the rows at `t` itself:
`relink` recomputes the rows of each person between those bounds. Deleting by age
(retention) never makes a kept row wrong: its successors are younger and stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import orjson
from sqlalchemy import Connection, text

# The stored value's definition, for one row `r` (also the migration's backfill).
NEXT_OF_ROW = """(SELECT MIN(n.scanned_at) FROM checkins n
     WHERE n.id_number = r.id_number AND n.scanned_at >= r.scanned_at
       AND (n.scanned_at > r.scanned_at OR n.venue_pk <> r.venue_pk))"""

# Per range `s(p, lo, hi)`: the person's rows from the latest instant before lo up to hi,
# plus the first instant after hi to find the last one's successor, read in one index range
# scan (no probe per row); the same rule as NEXT_OF_ROW, by LEAD, or the row's own instant
# when a neighbour in (scanned_at, venue_pk) order shares it. Only rows up to hi whose
# value differs come out. `b` is MATERIALIZED: inlined, its two bounds became conditions
# of every day partition's index scan on PostgreSQL, each re-running the bound's own probe
# of every partition (quadratic in the partitions; an import chunk took minutes).
_CHANGES = """
WITH b AS MATERIALIZED (
  SELECT s.p, s.hi,
         COALESCE((SELECT MAX(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at < s.lo), s.lo) AS lo,
         COALESCE((SELECT MIN(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at > s.hi), s.hi) AS beyond
  FROM RANGES),
r AS (
  SELECT c.id, c.scanned_at, c.next_scanned_at AS old, b.hi,
         CASE WHEN lag(c.scanned_at) OVER w = c.scanned_at THEN c.scanned_at
              ELSE lead(c.scanned_at) OVER w END AS nxt
  FROM b JOIN checkins c ON c.id_number = b.p AND c.scanned_at >= b.lo AND c.scanned_at <= b.beyond
  WINDOW w AS (PARTITION BY c.id_number ORDER BY c.scanned_at, c.venue_pk))
SELECT r.id, r.nxt, r.scanned_at FROM r WHERE r.scanned_at <= r.hi AND r.nxt DIFFERS r.old
"""

_RANGES = {
    "postgresql": "unnest(CAST(:persons AS varchar[]), CAST(:los AS bigint[]), CAST(:his AS bigint[]))"
                  " AS s(p, lo, hi)",
    "sqlite": "(SELECT json_extract(value, '$[0]') AS p, json_extract(value, '$[1]') AS lo,"
              " json_extract(value, '$[2]') AS hi FROM json_each(:ranges)) AS s",
}
_ONE = "(SELECT CAST(:idn AS VARCHAR(18)) AS p, CAST(:at AS BIGINT) AS lo, CAST(:at AS BIGINT) AS hi) AS s"
# SQLite before 3.39 has no IS DISTINCT FROM; its IS NOT means the same.
_DIFFERS = {"postgresql": "IS DISTINCT FROM", "sqlite": "IS NOT"}


_LO = """COALESCE((SELECT MAX(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at < s.lo), s.lo) AS lo"""
_HI = """COALESCE((SELECT MIN(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at > s.hi), s.hi) AS beyond"""
_LO_BY_DAY = """COALESCE((SELECT x.scanned_at FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at < s.lo
                      AND x.scanned_at >= :edge AND x.scanned_at < :top
                    ORDER BY x.scanned_at DESC LIMIT 1),
                   (SELECT MAX(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at < s.lo
                      AND (x.scanned_at < :edge OR x.scanned_at >= :top)), s.lo) AS lo"""
_HI_BY_DAY = """COALESCE((SELECT x.scanned_at FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at > s.hi
                      AND x.scanned_at >= :edge AND x.scanned_at < :top
                    ORDER BY x.scanned_at LIMIT 1),
                   (SELECT MIN(x.scanned_at) FROM checkins x
                    WHERE x.id_number = s.p AND x.scanned_at > s.hi
                      AND (x.scanned_at < :edge OR x.scanned_at >= :top)), s.hi) AS beyond"""


def _changes_sql(dialect: str, ranges: str) -> str:
    return _CHANGES.replace("RANGES", ranges).replace("DIFFERS", _DIFFERS[dialect])


_CHANGES_MANY = {d: _changes_sql(d, r) for d, r in _RANGES.items()}
# The same for an import chunk on PostgreSQL's day partitions (venuecode.scans.partitions),
# whose contiguous days span [:edge, :top): each bound is first looked for newest (oldest)
# day first and stops at the first day holding one (an ordered Append: the default partition
# is pruned for that range), then only outside the span; a person's bound no longer costs a
# probe of every day (0.1 ms -> 0.01 ms a person, EXPLAIN ANALYZE on 37 partitions).
_CHANGES_CHUNK_PG = _CHANGES_MANY["postgresql"].replace(_LO, _LO_BY_DAY).replace(_HI, _HI_BY_DAY)
# The changes are read first and written by primary key: as one UPDATE ... FROM, the
# planner misjudged the row count and hash-joined a sequential scan of the whole table.
# On PostgreSQL the key is (id, scanned_at) and the table partitioned by day on
# scanned_at (venuecode.scans.partitions): matching scanned_at too lets each row's update
# visit its own day's partition only, instead of probing the id in every partition.
_WRITE = {
    "postgresql": "UPDATE checkins SET next_scanned_at = v.nxt"
                  " FROM unnest(CAST(:ids AS bigint[]), CAST(:nxts AS bigint[]),"
                  " CAST(:ats AS bigint[])) AS v(id, nxt, at)"
                  " WHERE checkins.id = v.id AND checkins.scanned_at = v.at",
    "sqlite": "UPDATE checkins SET next_scanned_at = :nxt WHERE id = :id",
}
# One check-in `(:idn, :at)`, for the scan hot path's own DBAPI calls: a handful of rows,
# so one statement (checked with EXPLAIN on 39.5 M rows: primary-key nested loop).
RELINK_ONE = {
    d: f"UPDATE checkins SET next_scanned_at = u.nxt FROM ({_changes_sql(d, _ONE)}) AS u"  # noqa: S608
       " WHERE checkins.id = u.id AND checkins.scanned_at = u.scanned_at"
    for d in _DIFFERS
}

# On PostgreSQL's day partitions the plain bounds are a Merge Append: it probes every day's
# index before returning a row (a default partition, which may hold any instant, keeps
# PostgreSQL 15 from reading days in order). Split at literal instants around the check-in's
# own day, [edge, top) with edge <= at < top, each bound is exactly the same MAX (MIN): first
# looked for within the span, which day partitions cover, so the planner prunes the default
# partition and reads days newest (oldest) first, stopping at the first day holding one;
# only if none, beyond the span (older days and the default partition). pgbench on 37
# partitions: 1.31 -> 0.98 ms a relink (bench/scan/README.md). Days missing from the span
# only cost the pruning, never the answer.
SPAN_BACK_DAYS = 28  # the default retention: serve keeps partitions that far back
SPAN_AHEAD_DAYS = 3  # partitions.AHEAD_DAYS
_DAY_MICROS = 86_400_000_000
_LO_SPAN = """COALESCE(
           (SELECT x.scanned_at FROM checkins x
             WHERE x.id_number = s.p AND x.scanned_at < s.lo
               AND x.scanned_at >= {edge} AND x.scanned_at < {top}
             ORDER BY x.scanned_at DESC LIMIT 1),
           (SELECT MAX(x.scanned_at) FROM checkins x
             WHERE x.id_number = s.p AND x.scanned_at < {edge}), s.lo) AS lo"""
_HI_SPAN = """COALESCE(
           (SELECT x.scanned_at FROM checkins x
             WHERE x.id_number = s.p AND x.scanned_at > s.hi
               AND x.scanned_at >= {edge} AND x.scanned_at < {top}
             ORDER BY x.scanned_at LIMIT 1),
           (SELECT MIN(x.scanned_at) FROM checkins x
             WHERE x.id_number = s.p AND x.scanned_at >= {top}), s.hi) AS beyond"""
_RELINK_ONE_DAY: dict[int, str] = {}


def relink_one_sql(dialect: str, at: int) -> str:
    """RELINK_ONE for a check-in at `at` (micros since the epoch). On PostgreSQL its text
    holds the span around `at`'s UTC day as literals: one text (one prepared statement and
    generic plan) a day for live scans, with the same result as RELINK_ONE's."""
    if dialect != "postgresql":
        return RELINK_ONE[dialect]
    day = at // _DAY_MICROS
    sql = _RELINK_ONE_DAY.get(day)
    if sql is None:
        edge = (day - SPAN_BACK_DAYS) * _DAY_MICROS
        top = (day + 1 + SPAN_AHEAD_DAYS) * _DAY_MICROS
        # edge <= at < top, so the span's far side adds nothing to `< at` (`> at`); it is
        # there for the planner, which prunes the default partition on literals only.
        sql = (RELINK_ONE[dialect].replace(_LO, _LO_SPAN.format(edge=edge, top=top))
               .replace(_HI, _HI_SPAN.format(edge=edge, top=top)))
        _RELINK_ONE_DAY.clear()  # one day's text at a time
        _RELINK_ONE_DAY[day] = sql
    return sql

RELINK_ALL = f"UPDATE checkins AS r SET next_scanned_at = {NEXT_OF_ROW}"  # noqa: S608

# PostgreSQL runs writers concurrently: two transactions adding check-ins of one person
# would each relink without seeing the other's row. A transaction-scoped lock per person,
# taken before the relink reads, makes the second wait until the first commits, so its
# read sees both rows (READ COMMITTED: a new snapshot per statement). The live scan and
# the gate scanner's upload take it before they insert, too (`scans.store`): the scan's
# repeat-window look then sees a concurrent tap's row, and every locking writer takes
# lock then key in one order. SQLite needs none: one writer at a time, and relink runs
# inside the write transaction.
LOCK_PERSON = "SELECT pg_advisory_xact_lock(7301, hashtext(:idn))"
_LOCK_PERSONS = ("SELECT pg_advisory_xact_lock(7301, hashtext(p))"
                 " FROM unnest(CAST(:persons AS varchar[])) AS p ORDER BY p")
# Beyond this many persons (import chunks) no locks: each takes a slot in PostgreSQL's
# shared lock table (64 per connection by default) and would block live scans until the
# chunk commits; see docs/tracing.md for the race this leaves and `relink_all`.
LOCKED_PERSONS_MAX = 50


def lock_persons(connection: Connection, persons: Iterable[str]) -> None:
    """PostgreSQL: the per-person locks of up to LOCKED_PERSONS_MAX persons, in one sorted
    order (no deadlock); held to the end of the transaction, and taken again at no cost."""
    distinct = sorted(set(persons))
    if connection.dialect.name == "postgresql" and 0 < len(distinct) <= LOCKED_PERSONS_MAX:
        connection.execute(text(_LOCK_PERSONS), {"persons": distinct})


# An import chunk's relink on the partitioned table (venuecode.scans.partitions): the
# planner costs a probe per row of every day partition, without the run-time pruning that
# leaves one, so it merge-joined a full scan of the whole table (2.2 s for 5,000 rows at
# 0.5 M rows; worse with every day). Nested loops are the plan it had before partitions;
# for these two statements only, then the previous settings again.
# A custom plan each time, so that :edge and :top prune at planning (_CHANGES_CHUNK_PG).
_NESTED_LOOPS_ONLY = ("SELECT current_setting('enable_mergejoin'), current_setting('enable_hashjoin'),"
                      " current_setting('plan_cache_mode'),"
                      " set_config('enable_mergejoin', 'off', true), set_config('enable_hashjoin', 'off', true),"
                      " set_config('plan_cache_mode', 'force_custom_plan', true)")
_RESTORE_JOINS = ("SELECT set_config('enable_mergejoin', :merge, true),"
                  " set_config('enable_hashjoin', :hash, true), set_config('plan_cache_mode', :plans, true)")


def _day_span(connection: Connection) -> tuple[int, int] | None:
    """[first, end) of the contiguous day partitions of checkins, or None (not partitioned,
    or a gap: then the default partition is not pruned and the plain bounds query runs)."""
    from venuecode.scans.partitions import partitions

    days = [p for p in partitions(connection, "checkins") if not p.is_default]
    if not days or any(a.hi != b.lo for a, b in pairwise(days)):
        return None
    return days[0].lo, days[-1].hi  # type: ignore[return-value]


def person_ranges(checkins: Iterable[tuple[str, int]]) -> dict[str, tuple[int, int]]:
    """`(id_number, scanned_at micros)` of written check-ins -> per person (first, last)."""
    ranges: dict[str, tuple[int, int]] = {}
    for person, at in checkins:
        seen = ranges.get(person)
        ranges[person] = (at, at) if seen is None else (min(seen[0], at), max(seen[1], at))
    return ranges


def relink(connection: Connection, checkins: Iterable[tuple[str, int]]) -> int:
    """Recompute `next_scanned_at` around check-ins just written, `(id_number, micros)`;
    in the caller's transaction. Returns the number of rows whose value changed."""
    ranges = person_ranges(checkins)
    if not ranges:
        return 0
    dialect = connection.dialect.name
    if dialect == "postgresql":
        persons = list(ranges)
        lock_persons(connection, persons)
        params: dict[str, object] = {"persons": persons, "los": [ranges[p][0] for p in persons],
                                     "his": [ranges[p][1] for p in persons]}
    else:
        params = {"ranges": orjson.dumps([[p, lo, hi] for p, (lo, hi) in ranges.items()]).decode()}
    chunk = dialect == "postgresql" and len(ranges) > LOCKED_PERSONS_MAX
    changes_sql = _CHANGES_MANY[dialect]
    if chunk:
        saved = connection.execute(text(_NESTED_LOOPS_ONLY)).one()
        span = _day_span(connection)
        if span is not None:
            changes_sql = _CHANGES_CHUNK_PG
            params.update(edge=span[0], top=span[1])
    changes = connection.execute(text(changes_sql), params).all()
    if changes and dialect == "postgresql":
        connection.execute(text(_WRITE[dialect]), {"ids": [c[0] for c in changes],
                                                   "nxts": [c[1] for c in changes],
                                                   "ats": [c[2] for c in changes]})
    elif changes:
        connection.execute(text(_WRITE[dialect]), [{"id": c[0], "nxt": c[1]} for c in changes])
    if chunk:
        connection.execute(text(_RESTORE_JOINS), {"merge": saved[0], "hash": saved[1],
                                                  "plans": saved[2]})
    return len(changes)


def relink_all(connection: Connection) -> int:
    """Recompute every row (after a migration or manual repair); returns rows updated."""
    return int(connection.execute(text(RELINK_ALL)).rowcount)




# An import chunk of check-ins on PostgreSQL, staged (`ingest.bulk`), is written with rule
# 2 already applied, in two statements. _LINK: the persons' stored rows around the chunk
# and the staged rows, grouped by natural key (a staged row that is stored already is one
# row), `LEAD` giving every row its next check-in, into a temporary table. _APPLY: the
# new rows INSERTed with their `next_scanned_at` set, and the stored rows UPDATEd by
# primary key when the file changed their data (`checked_out_at`: replaced) or the chunk
# changed their next check-in (the row before each new one). Before, every new row was
# inserted and then updated: a second row version and three index entries more.
# ON CONFLICT DO NOTHING: a live scan that stored the same key meanwhile wins (unchanged).
#
# The stored rows are read one of two ways. PROBE: each person's bounds (_CHANGES_CHUNK_PG's
# ordered day probes), then the range between them, nested loops only; its cost is per
# person and per day partition searched (a person with no earlier check-in searches every
# older day: 0.4-0.7 ms a person on the loaded 2-core VM, 7-14 s a 20,000-row chunk).
# SCAN: every stored row of the chunk's persons by one hash join, whose cost is the table's
# size (1.3 s for 20,000 persons against 200,000 rows, same run). The smaller wins:
# SCAN while the table holds fewer than SCAN_ROWS_PER_PERSON rows per chunk person.
_LINK = """
INSERT INTO LINKED
WITH STORED,
u AS (
  SELECT c.id, c.id_number, c.scanned_at, c.venue_pk, c.next_scanned_at AS old,
         c.checked_out_at AS old_out, s.hi, false AS staged, CAST(NULL AS bigint) AS new_out
  FROM FROM_STORED
  UNION ALL
  SELECT NULL, s.id_number, s.scanned_at, s.venue_pk, NULL, NULL, NULL, true, s.checked_out_at
  FROM STAGE s),
g AS (
  SELECT id_number, scanned_at, venue_pk, max(id) AS id, max(old) AS old, max(old_out) AS old_out,
         max(hi) AS hi, bool_or(staged) AS staged, max(new_out) AS new_out
  FROM u GROUP BY id_number, scanned_at, venue_pk)
SELECT id, id_number, scanned_at, venue_pk, new_out, replaced, nxt FROM (
  SELECT g.*, g.staged AND g.id IS NOT NULL AND g.new_out IS DISTINCT FROM g.old_out AS replaced,
         CASE WHEN lag(scanned_at) OVER o = scanned_at THEN scanned_at
              ELSE lead(scanned_at) OVER o END AS nxt
  FROM g WINDOW o AS (PARTITION BY id_number ORDER BY scanned_at, venue_pk)) w
 WHERE w.id IS NULL OR w.replaced OR (w.scanned_at <= w.hi AND w.nxt IS DISTINCT FROM w.old)
"""
_PERSONS = ("unnest(CAST(:persons AS varchar[]), CAST(:los AS bigint[]), CAST(:his AS bigint[]))"
            " AS s(p, lo, hi)")
# Constant texts only (no input): the persons come as array parameters.
_PROBE = ("b AS MATERIALIZED (SELECT s.p, s.hi, BOUND_LO, BOUND_HI FROM " + _PERSONS + ")",  # noqa: S608
          "b AS s JOIN checkins c ON c.id_number = s.p AND c.scanned_at >= s.lo"
          " AND c.scanned_at <= s.beyond")
_SCAN = ("p AS MATERIALIZED (SELECT s.p, s.hi FROM " + _PERSONS + ")",  # noqa: S608
         "p AS s JOIN checkins c ON c.id_number = s.p")
_LINKED_TABLE = ("CREATE TEMP TABLE IF NOT EXISTS ingest_linked_checkins (id bigint,"
                 " id_number varchar(18), scanned_at bigint, venue_pk integer,"
                 " checked_out_at bigint, replaced boolean, next_scanned_at bigint)")


def _link_sql(stored: tuple[str, str], lo: str, hi: str) -> str:
    return (_LINK.replace("FROM_STORED", stored[1]).replace("STORED", stored[0])
            .replace("BOUND_LO", lo).replace("BOUND_HI", hi))


_LINK_PROBE = _link_sql(_PROBE, _LO, _HI)
_LINK_PROBE_BY_DAY = _link_sql(_PROBE, _LO_BY_DAY, _HI_BY_DAY)
_LINK_SCAN = _link_sql(_SCAN, _LO, _HI)
_APPLY = """
WITH ins AS (
  INSERT INTO checkins (id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at,
                        batch_id, channel)
  SELECT id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at, :batch, :channel
    FROM ingest_linked_checkins WHERE id IS NULL ORDER BY id_number, scanned_at, venue_pk
  ON CONFLICT (id_number, scanned_at, venue_pk) DO NOTHING RETURNING 1),
upd AS (
  UPDATE checkins t
     SET checked_out_at = CASE WHEN w.replaced THEN w.checked_out_at ELSE t.checked_out_at END,
         batch_id = CASE WHEN w.replaced THEN :batch ELSE t.batch_id END,
         next_scanned_at = w.next_scanned_at
    FROM ingest_linked_checkins w
   WHERE w.id IS NOT NULL AND t.id = w.id AND t.scanned_at = w.scanned_at
  RETURNING w.replaced)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd WHERE replaced)
"""
# Heap bytes of a stored check-in row, roughly (header and columns), to estimate the
# table's rows from its size (statistics lag behind a bulk load).
_ROW_BYTES = 100
SCAN_ROWS_PER_PERSON = 50
# For the rest of the chunk's transaction. JIT compiled each chunk's statements anew:
# 3.1-5.5 s of a 5.4 s link statement (EXPLAIN ANALYZE, 20,000 persons against 200,000
# rows; 2.2 s without). The sorts and the grouping of a chunk spilled to disk at 4 MB.
_CHUNK_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
_HEAP_BYTES = ("SELECT COALESCE(sum(pg_relation_size(i.inhrelid)), pg_relation_size('checkins'))"
               " FROM pg_inherits i WHERE i.inhparent = 'checkins'::regclass")


def write_staged(connection: Connection, stage: str, checkins: Iterable[tuple[str, int]],
                 batch_id: int, channel: str) -> tuple[int, int]:
    """PostgreSQL: write a staged import chunk of check-ins, relinked (see _LINK);
    `stage` is a constant table name with id_number, venue_pk, scanned_at and
    checked_out_at, one row per natural key; `checkins` its `(id_number, micros)`.
    Returns (inserted, replaced); the other staged rows were unchanged."""
    ranges = person_ranges(checkins)
    if not ranges:
        return 0, 0
    persons = list(ranges)
    lock_persons(connection, persons)
    params: dict[str, object] = {"persons": persons, "los": [ranges[p][0] for p in persons],
                                 "his": [ranges[p][1] for p in persons]}
    connection.execute(text(_CHUNK_SETTINGS))
    connection.execute(text(_LINKED_TABLE))
    connection.execute(text("TRUNCATE ingest_linked_checkins"))
    stored_rows = int(connection.execute(text(_HEAP_BYTES)).scalar() or 0) // _ROW_BYTES
    saved = connection.execute(text(_NESTED_LOOPS_ONLY)).one()
    restore = {"merge": saved[0], "hash": saved[1], "plans": saved[2]}
    if stored_rows < SCAN_ROWS_PER_PERSON * len(persons):
        connection.execute(text(_RESTORE_JOINS), restore)  # the hash join is the point
        sql = _LINK_SCAN
    else:
        span = _day_span(connection)
        sql = _LINK_PROBE
        if span is not None:
            sql = _LINK_PROBE_BY_DAY
            params.update(edge=span[0], top=span[1])
    connection.execute(text(sql.replace("STAGE", stage).replace("LINKED", "ingest_linked_checkins")),
                       params)
    connection.execute(text(_NESTED_LOOPS_ONLY))  # the writes: by key and by id
    inserted, replaced = connection.execute(text(_APPLY), {"batch": batch_id,
                                                           "channel": channel}).one()
    connection.execute(text(_RESTORE_JOINS), restore)
    return int(inserted), int(replaced)
