"""`DbPresenceSource`: the presence-source protocol over the `checkins` table.

Rule 2 needs each check-in's next check-in at any venue over the person's FULL history;
every write path stores it as `next_scanned_at` (`venuecode.scans.succession`), so the
reads are plain range scans with the time windows pushed into indexed queries:

- candidates for venue windows come from `ix_checkins_venue_presence (venue_pk,
  scanned_at, id_number, checked_out_at, next_scanned_at)`, `scanned_at` in
  `(start - dwell(venue), end)` (an interval is never longer than its venue's dwell):
  every column is in the index, so the table itself is not read;
- a person's rows come from the unique `(id_number, scanned_at, venue_pk)` index;
- `next_scanned_at == scanned_at` marks the rare same-instant scan at another venue;
  those rows are settled by a second, exact query (`_settle_ties`).

All windows of one engine call go in one statement: PostgreSQL gets them as three arrays
(`unnest`), SQLite as one JSON parameter (`json_each`). Times stay raw BIGINT micros.
The fetched rows become the engine's `IntervalBatch` column by column, rule 2's end
computed on whole numpy columns; only the rare same-instant rows are looked at one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from venuecode.categories import dwell_table
from venuecode.tracing.intervals import dwell_micros
from venuecode.tracing.types import Column, IntervalBatch

DwellOverride = Callable[[str], float] | Mapping[str, float]

# Used when a venue's category is not in the category table (data from an older list).
FALLBACK_DWELL_MINUTES = 60

_AT_POSTGRES = """
SELECT c.id_number, c.venue_pk, w.lo, c.scanned_at, c.checked_out_at, c.next_scanned_at
FROM unnest(CAST(:pks AS integer[]), CAST(:los AS bigint[]), CAST(:his AS bigint[]),
            CAST(:slacks AS bigint[])) AS w(pk, lo, hi, slack)
JOIN checkins c ON c.venue_pk = w.pk AND c.scanned_at > w.lo - w.slack AND c.scanned_at < w.hi
"""

_AT_SQLITE = """
SELECT c.id_number, c.venue_pk, w.lo, c.scanned_at, c.checked_out_at, c.next_scanned_at
FROM (SELECT json_extract(value, '$[0]') AS pk, json_extract(value, '$[1]') AS lo,
             json_extract(value, '$[2]') AS hi, json_extract(value, '$[3]') AS slack
      FROM json_each(:windows)) AS w
CROSS JOIN checkins c
WHERE c.venue_pk = w.pk AND c.scanned_at > w.lo - w.slack AND c.scanned_at < w.hi
"""

# `prv` is kept in the row shape for `intervals_of`; the stored next check-in already
# marks a same-instant scan at another venue (next_scanned_at == scanned_at).
_OF_POSTGRES = """
SELECT c.id_number, c.venue_pk, c.scanned_at, c.checked_out_at, NULL AS prv, c.next_scanned_at AS nxt
FROM checkins c
WHERE c.id_number = ANY(CAST(:persons AS varchar[])) AND c.scanned_at > :lo AND c.scanned_at < :hi
"""

_OF_SQLITE = """
SELECT c.id_number, c.venue_pk, c.scanned_at, c.checked_out_at, NULL AS prv, c.next_scanned_at AS nxt
FROM checkins c
WHERE c.id_number IN (SELECT value FROM json_each(:persons))
  AND c.scanned_at > :lo AND c.scanned_at < :hi
"""

_VENUES = {
    ("postgresql", "id"): "SELECT id, venue_id, category, dwell_minutes FROM venues"
    " WHERE id = ANY(CAST(:keys AS integer[]))",
    ("postgresql", "venue_id"): "SELECT id, venue_id, category, dwell_minutes FROM venues"
    " WHERE venue_id = ANY(CAST(:keys AS varchar[]))",
    ("sqlite", "id"): "SELECT id, venue_id, category, dwell_minutes FROM venues"
    " WHERE id IN (SELECT value FROM json_each(:keys))",
    ("sqlite", "venue_id"): "SELECT id, venue_id, category, dwell_minutes FROM venues"
    " WHERE venue_id IN (SELECT value FROM json_each(:keys))",
}


class DbPresenceSource:
    """Presence intervals (rule 2) read from the database for the tracing engine.

    `dwell` overrides the stay length per venue id (tests, what-if runs); by default a
    venue's `dwell_minutes` or else its category's default (`venue-categories.csv`).
    """

    def __init__(self, session: Session, dwell: DwellOverride | None = None,
                 categories: Mapping[str, float] | None = None) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        # A mapping overrides the venues it names; a callable overrides every venue.
        self._mapping = dwell if isinstance(dwell, Mapping) else {}
        self._override = None if isinstance(dwell, Mapping) else dwell
        # Per-category stays of this trace over the category table (a venue's own wins).
        self._categories: dict[str, float] = {**dwell_table(), **(categories or {})}
        self._by_pk: dict[int, tuple[str, int]] = {}  # venue pk -> (venue_id, dwell micros)
        self._by_id: dict[str, int] = {}  # venue_id -> pk
        self._max_dwell: int | None = None
        self.rows_read = 0  # candidate rows fetched, for benchmarks

    # -- the protocol ---------------------------------------------------------------

    def intervals_of(self, persons: Collection[str], start: int, end: int) -> IntervalBatch:
        if not persons:
            return IntervalBatch.empty()
        lo = start - self._longest_dwell()
        if self._postgres:
            params: dict[str, Any] = {"persons": list(persons), "lo": lo, "hi": end}
            names, person, (pk, t, exit_, prv, nxt) = self._read(_OF_POSTGRES, params, (2, 3, 4))
        else:
            params = {"persons": orjson.dumps(list(persons)).decode(), "lo": lo, "hi": end}
            names, person, (pk, t, exit_, prv, nxt) = self._read(_OF_SQLITE, params, (2, 3, 4))
        # A same-instant neighbour (prv == t) is a tie as well, as a next check-in equal to t is.
        nxt = np.where(prv == t, t, nxt)
        return self._intervals(names, person, pk, np.full(len(t), start, dtype=np.int64), t, exit_, nxt)

    def intervals_at(self, windows: Sequence[tuple[str, int, int]]) -> IntervalBatch:
        self._load_venue_ids({venue for venue, _s, _e in windows})
        pks: list[int] = []
        los: list[int] = []
        his: list[int] = []
        slacks: list[int] = []
        for venue, start, end in windows:
            pk = self._by_id.get(venue)
            if pk is None:
                continue  # a venue unknown to the registry has no check-ins
            pks.append(pk)
            los.append(start)
            his.append(end)
            slacks.append(self._by_pk[pk][1])
        if not pks:
            return IntervalBatch.empty()
        if self._postgres:
            params = {"pks": pks, "los": los, "his": his, "slacks": slacks}
            names, person, columns = self._read(_AT_POSTGRES, params, (3, 4))
        else:
            payload = orjson.dumps(list(zip(pks, los, his, slacks, strict=True))).decode()
            names, person, columns = self._read(_AT_SQLITE, {"windows": payload}, (3, 4))
        # Columns (venue_pk, window_start, scanned_at, checked_out_at, next).
        return self._intervals(names, person, *columns)

    def _read(self, sql: str, params: dict[str, Any], nullable: tuple[int, ...]
              ) -> tuple[list[str], Column, list[Column]]:
        """Rows `(person, 5 int columns)` streamed in partitions into int64 columns (NULL as
        `_NONE` in the `nullable` ones): a deep trace reads tens of millions of rows, and as
        Python tuples all at once they alone took gigabytes. On the driver's own cursor (a
        server-side one on PostgreSQL): SQLAlchemy's Row objects cost a quarter of a large
        outbreak's time. Returns the person names, codes and columns."""
        dbapi: Any = self._session.connection().connection.dbapi_connection
        if self._postgres:
            cursor = dbapi.cursor(name="venuecode_trace_rows")
            sql = _PYFORMAT.sub(r"%(\1)s", sql)
        else:
            cursor = dbapi.cursor()
        index: dict[str, int] = {}
        codes: list[Column] = []
        parts: list[list[Column]] = [[] for _ in range(5)]
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(_PARTITION):
                codes.append(np.fromiter((index.setdefault(p, len(index)) for p in map(itemgetter(0), rows)),
                                         np.int64, len(rows)))
                for j, part in enumerate(parts):
                    part.append(_ints(rows, j + 1, nullable=j in nullable))
        finally:
            cursor.close()
        self.rows_read += sum(len(c) for c in codes)
        return list(index), _concat(codes), [_concat(p) for p in parts]

    # -- rule 2 on fetched rows -------------------------------------------------------

    def _intervals(
        self, persons: list[str], person: Column, pk: Column, lo: Column, t: Column, exit_: Column, nxt: Column
    ) -> IntervalBatch:
        """Rule 2 for fetched rows as columns `person` (codes into `persons`), `venue_pk,
        window_start, scanned_at, checked_out_at, next` (`_NONE` for NULL); drops the empty
        intervals and those ending at or before the window start."""
        pks, venue = _distinct(pk)
        self._load_venues(pks.tolist())
        venue_ids = [self._by_pk[k][0] for k in pks.tolist()]
        dwell = np.array([self._by_pk[k][1] for k in pks.tolist()], dtype=np.int64)
        counts = np.ones(len(t), dtype=bool)
        ties = np.flatnonzero(nxt == t)
        if len(ties):
            settled = self._settle_ties([(persons[person[i]], int(pk[i]), int(t[i])) for i in ties.tolist()])
            counts[ties] = [kept for kept, _later in settled]
            nxt = nxt.copy()
            nxt[ties] = [_NONE if later is None else later for _kept, later in settled]
        end = np.minimum(np.minimum(t + dwell[venue], exit_), nxt)
        keep = counts & (end > t) & (end > lo)
        return IntervalBatch(persons, venue_ids, person[keep], venue[keep], t[keep], end[keep])

    def _settle_ties(self, ties: list[tuple[str, int, int]]) -> list[tuple[bool, int | None]]:
        """Rule 2's same-instant rule for rows `(person, venue_pk, scanned_at)` whose person
        scanned another venue at the same instant: whether the row is the one that counts
        (the smallest venue id, by code point) and the person's next check-in strictly
        later, which ends it. Rare (two venues scanned in the same microsecond)."""
        out: list[tuple[bool, int | None]] = []
        for person, pk, t in ties:
            rows = self._session.execute(
                text("SELECT venue_pk FROM checkins WHERE id_number = :p AND scanned_at = :t"),
                {"p": person, "t": t},
            ).all()
            self._load_venues(r[0] for r in rows)
            # Python str comparison is by code point, as the spec asks (not the collation).
            if min(self._by_pk[r[0]][0] for r in rows) != self._by_pk[pk][0]:
                out.append((False, None))
                continue
            later = self._session.execute(
                text("SELECT MIN(scanned_at) FROM checkins WHERE id_number = :p AND scanned_at > :t"),
                {"p": person, "t": t},
            ).scalar()
            out.append((True, later))
        return out

    # -- venues -----------------------------------------------------------------------

    def _dwell_of(self, venue_id: str, category: str, dwell_minutes: int | None) -> int:
        if self._override is not None:
            return dwell_micros(self._override(venue_id))
        if venue_id in self._mapping:
            return dwell_micros(self._mapping[venue_id])
        if dwell_minutes is not None:
            return dwell_micros(dwell_minutes)
        return dwell_micros(self._categories.get(category, FALLBACK_DWELL_MINUTES))

    def _remember(self, rows: Iterable[Any]) -> None:
        for pk, venue_id, category, minutes in rows:
            self._by_pk[pk] = (venue_id, self._dwell_of(venue_id, category, minutes))
            self._by_id[venue_id] = pk

    def _load_venues(self, pks: Iterable[int]) -> None:
        missing = sorted({pk for pk in pks if pk not in self._by_pk})
        if missing:
            self._remember(self._venue_rows("id", missing))

    def _load_venue_ids(self, venue_ids: Iterable[str]) -> None:
        missing = sorted({v for v in venue_ids if v not in self._by_id})
        if missing:
            self._remember(self._venue_rows("venue_id", missing))

    def _venue_rows(self, column: str, keys: list[Any]) -> list[Any]:
        if self._postgres:
            sql = _VENUES["postgresql", column]
            return list(self._session.execute(text(sql), {"keys": keys}).all())
        sql = _VENUES["sqlite", column]
        return list(self._session.execute(text(sql), {"keys": orjson.dumps(keys).decode()}).all())

    def _longest_dwell(self) -> int:
        """The longest stay of any venue: the look-behind for a person's intervals."""
        if self._max_dwell is None:
            if self._override is not None:
                rows = self._session.execute(text("SELECT venue_id FROM venues")).all()
                longest = max((dwell_micros(self._override(r[0])) for r in rows), default=0)
            else:
                override = self._session.execute(text("SELECT MAX(dwell_minutes) FROM venues")).scalar()
                longest = dwell_micros(max([*self._categories.values(), *self._mapping.values(),
                                            FALLBACK_DWELL_MINUTES, override or 0]))
            self._max_dwell = longest
        return self._max_dwell


# NULL in an integer column: a time later than any, so `min()` passes over it.
_NONE = np.iinfo(np.int64).max
_PARTITION = 100_000  # rows converted to columns at a time
# The queries' :name parameters in psycopg's style (constants only, built per call).
_PYFORMAT = re.compile(r"(?<![:\w]):(\w+)")


def _concat(parts: list[Column]) -> Column:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _ints(rows: Sequence[Any], column: int, nullable: bool = False) -> Column:
    """One column of the fetched rows as int64 (NULL as `_NONE`)."""
    values: Iterable[Any] = map(itemgetter(column), rows)
    if nullable:
        values = (_NONE if v is None else v for v in values)
    return np.fromiter(values, np.int64, len(rows))


def _distinct(keys: Column) -> tuple[Column, Column]:
    """The distinct keys, ascending, and each key's index among them (`np.unique` with
    `return_inverse`, by counting when the keys are small, as venue pks are)."""
    if len(keys) and int(keys.min()) >= 0 and int(keys.max()) < 4 * len(keys) + 1_000_000:
        present = np.bincount(keys) > 0
        return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]
    distinct, index = np.unique(keys, return_inverse=True)
    return distinct, index
