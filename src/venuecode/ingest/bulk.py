"""Bulk upsert of validated records, counting new, replaced and unchanged rows.

PostgreSQL: COPY the chunk into a temporary staging table, then one
`INSERT ... SELECT ... ON CONFLICT (natural key) DO UPDATE ... WHERE <differs>`;
`RETURNING (xmax = 0)` tells inserted rows from updated ones, and rows the WHERE kept
out are the unchanged ones. SQLite: `executemany` of the same upsert; rows whose rowid
is above the table's max(rowid) before the chunk are the inserted ones.

Both go through the session's own connection, so a chunk is written in the caller's
transaction. Rows are plain tuples (times as integer microseconds): no ORM objects.

`Pacer` bounds how long one transaction holds SQLite's single write lock: a chunk is
written in slices sized from the time the last slice took, with a short pause between
them so that scans and sign-ins waiting on the lock get their turn.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from venuecode.ingest.kinds import KindSpec
from venuecode.scans.succession import relink, write_staged

Row = tuple[object, ...]
T = TypeVar("T")

# SQLite: one slice's transaction aims at half this, so noise stays under it.
LOCK_BUDGET_SECONDS = 0.2
# Between slices. A writer waiting on the lock polls it (SQLite's busy handler sleeps
# 1, 2, 5 ... 100 ms between tries), so it needs a gap to land in; jittered so its polls
# cannot stay in step with the slices.
PAUSE_SECONDS = (0.01, 0.04)


class Pacer:
    """Slices of a chunk, each sized to hold the write lock about `budget / 2` seconds.

    `slices` times the caller's loop body (write the slice, commit) and sizes the next
    slice from it; `budget=None` (PostgreSQL: row locks, no global write lock) gives the
    whole chunk at once.
    """

    def __init__(self, budget: float | None, first: int = 1_000, least: int = 50,
                 most: int = 20_000) -> None:
        self.budget = budget
        self.size = first
        self.least = least
        self.most = most
        self.paused = False  # the first slice of a run has no one to make way for

    def slices(self, items: Sequence[T]) -> Iterator[Sequence[T]]:
        if self.budget is None:
            if items:
                yield items
            return
        start = 0
        while start < len(items):
            if self.paused:
                time.sleep(random.uniform(*PAUSE_SECONDS))
            self.paused = True
            part = items[start:start + self.size]
            began = time.perf_counter()
            yield part
            self.record(len(part), time.perf_counter() - began)
            start += len(part)

    def record(self, rows: int, seconds: float) -> None:
        """Size the next slice from the last one: at most twice as large, never below least."""
        assert self.budget is not None
        wanted = self.most if seconds <= 0 else int(rows * self.budget / 2 / seconds)
        self.size = max(self.least, min(self.most, wanted, 2 * max(rows, self.size)))


def lock_budget(session: Session) -> float | None:
    return LOCK_BUDGET_SECONDS if session.get_bind().dialect.name == "sqlite" else None


def extra_columns(spec: KindSpec, source: str, batch_id: int, received_micros: int
                  ) -> tuple[dict[str, object], dict[str, object]]:
    """(columns set only on insert, columns also set when a record is replaced)."""
    if spec.name == "checkins":
        return {"channel": "import"}, {"batch_id": batch_id}
    if spec.name == "venues":
        # Imported venues are issued and approved; a re-import changes their data only,
        # never their status or code issue (a revoked venue stays revoked).
        return ({"status": "approved", "code_issue": 1, "created_at": received_micros,
                 "decided_at": received_micros, "manager_name": "", "manager_phone": ""},
                {})
    return {}, {"source": source, "batch_id": batch_id, "received_at": received_micros}


class BulkWriter:
    def __init__(self, session: Session, spec: KindSpec, insert_only: dict[str, object],
                 on_replace: dict[str, object]) -> None:
        self.session = session
        self.spec = spec
        self.table = spec.table
        data = spec.data_columns
        self.columns: tuple[str, ...] = data + tuple(on_replace) + tuple(insert_only)
        self.extra: Row = tuple(on_replace.values()) + tuple(insert_only.values())
        self.compare = tuple(c for c in data if c not in spec.key)
        self.update = self.compare + tuple(on_replace)
        self.is_pg = session.get_bind().dialect.name == "postgresql"
        self.sort_key = itemgetter(*(data.index(k) for k in spec.key))

    def _dbapi(self) -> Any:
        return self.session.connection().connection.dbapi_connection

    def write(self, rows: Sequence[Row]) -> tuple[int, int]:
        """Upsert `rows` (data values in spec.data_columns order); (inserted, replaced)."""
        if not rows:
            return 0, 0
        self.session.flush()  # the batch row must exist before rows refer to it
        extra = self.extra
        # In natural-key order: consecutive inserts touch neighbouring index pages.
        full = [row + extra for row in rows]
        if not self.is_pg:  # PostgreSQL sorts the staging table itself
            full.sort(key=self.sort_key)
        if self.is_pg and self.spec.name == "checkins":
            return self._write_pg_checkins(full)
        counts = self._write_pg(full) if self.is_pg else self._write_sqlite(full)
        if self.spec.name == "checkins":
            # Rule 2's next check-in of these rows and of each person's row before them.
            person, at = self.spec.data_columns.index("id_number"), self.spec.data_columns.index("scanned_at")
            relink(self.session.connection(), ((row[person], row[at]) for row in rows))  # type: ignore[misc]
        return counts

    def _conflict_sql(self, target: str) -> str:
        key = ", ".join(self.spec.key)
        sets = ", ".join(f"{c} = excluded.{c}" for c in self.update)
        old = ", ".join(f"{target}.{c}" for c in self.compare)
        new = ", ".join(f"excluded.{c}" for c in self.compare)
        differs = (f"({old}) IS DISTINCT FROM ({new})" if self.is_pg
                   else f"({old}) IS NOT ({new})")
        latest = self.spec.latest_wins
        if latest:
            differs += f" AND excluded.{latest} >= {target}.{latest}"
        return f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {differs}"

    def _write_pg(self, rows: list[Row]) -> tuple[int, int]:
        # Table and column names come from the KindSpec constants, never from input.
        cols = ", ".join(self.columns)
        stage = f"ingest_stage_{self.table}"
        create = (f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "  # noqa: S608
                  f"SELECT {cols} FROM {self.table} WITH NO DATA")
        with self._dbapi().cursor() as cur:
            # A partitioned table (checkins, venuecode.scans.partitions) cannot return the
            # system column xmax; there a row is new when its id comes after the sequence's
            # value read just before (an update keeps the row's older id).
            cur.execute("SELECT pg_get_serial_sequence(c.oid::regclass::text, 'id') FROM pg_class c"
                        " WHERE c.oid = to_regclass(%s) AND c.relkind = 'p'", (self.table,))
            sequence = (cur.fetchone() or (None,))[0]
            inserted_test = "xmax = 0"
            if sequence:
                cur.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}")  # noqa: S608
                inserted_test = f"t.id > {int(cur.fetchone()[0])}"
            upsert = (f"WITH r AS (INSERT INTO {self.table} AS t ({cols}) "  # noqa: S608
                      f"SELECT {cols} FROM {stage} ORDER BY {', '.join(self.spec.key)} "
                      f"{self._conflict_sql('t')} "
                      f"RETURNING ({inserted_test}) AS ins) "
                      "SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM r")
            # Column types are copied from the target table; no constraints, no indexes.
            cur.execute(create)
            cur.execute(f"TRUNCATE {stage}")
            with cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(upsert)
            inserted, replaced = cur.fetchone()
        return int(inserted), int(replaced)

    def _write_pg_checkins(self, rows: list[Row]) -> tuple[int, int]:
        # COPY into staging, then one statement inserts the new rows with their next
        # check-in set and updates the stored rows the chunk changes
        # (venuecode.scans.succession.write_staged).
        data = self.spec.data_columns
        cols = ", ".join(data)
        stage = "ingest_stage_checkins_linked"
        with self._dbapi().cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "  # noqa: S608
                        f"SELECT {cols} FROM checkins WITH NO DATA")
            cur.execute(f"TRUNCATE {stage}")
            width = len(data)
            with cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row[:width])
        person, at = data.index("id_number"), data.index("scanned_at")
        batch = self.extra[self.columns.index("batch_id") - len(data)]
        channel = self.extra[self.columns.index("channel") - len(data)]
        return write_staged(self.session.connection(), stage,
                            ((row[person], row[at]) for row in rows),  # type: ignore[misc]
                            int(batch), str(channel))  # type: ignore[call-overload]

    def _write_sqlite(self, rows: list[Row]) -> tuple[int, int]:
        cols = ", ".join(self.columns)
        marks = ", ".join("?" for _ in self.columns)
        table = self.table
        upsert = (f"INSERT INTO {table} ({cols}) VALUES ({marks}) "  # noqa: S608
                  f"{self._conflict_sql(table)}")
        cur = self._dbapi().cursor()
        try:
            # The natural-key index takes random inserts; with SQLite's default 2 MB page
            # cache every insert into a large table reads pages from disk. 64 MB, bounded.
            cur.execute("PRAGMA cache_size = -65536")
            cur.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}")  # noqa: S608
            before = cur.fetchone()[0]
            cur.executemany(upsert, rows)
            changed = cur.rowcount
            # Upserts update in place (rowid kept); new rows get rowids above the old max.
            cur.execute(f"SELECT count(*) FROM {table} WHERE rowid > ?", (before,))  # noqa: S608
            inserted = cur.fetchone()[0]
        finally:
            cur.close()
        return int(inserted), int(changed) - int(inserted)
