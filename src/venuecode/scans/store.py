"""Where check-ins and denied attempts are stored: the port and its SQL implementation.

`CheckinStore` is all the check-in pipeline (`scans.pipeline`) needs of storage. The SQL
store writes a check-in and its relink (`scans.succession`) in ONE transaction; on
PostgreSQL the per-person lock is taken between them and held until that transaction
commits, so concurrent writers of one person see each other's rows.

It works on any SQLAlchemy connection: a session's (pages, help-scan, gate scanner: the
caller's transaction, committed by the route with its audit rows) or the scan pool's
(autocommit on PostgreSQL: the store opens and commits the transaction itself, sending
BEGIN, insert, lock, relink and COMMIT in one round trip with psycopg's pipeline mode).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy.engine import Connection

from venuecode.scans.driver import dbapi, driver_sql, run
from venuecode.scans.succession import LOCK_PERSON, RELINK_ONE, lock_persons, relink, relink_one_sql
from venuecode.timeutil import from_micros, to_micros


@dataclass(frozen=True, slots=True)
class Attempt:
    """One person at one venue (or sub-area) at one instant, by one channel."""

    id_number: str
    venue_pk: int
    sub_area_pk: int | None
    at: datetime
    channel: str = "scan"  # scan | help | sentinel
    helper_user_id: int | None = None


class Entry(NamedTuple):
    id: int
    at: datetime


class CheckinStore(Protocol):
    def latest_entry(self, id_number: str, venue_pk: int, since: datetime,
                     until: datetime) -> Entry | None:
        """The person's latest check-in at the venue with since <= scanned_at <= until."""

    def add_checkin(self, attempt: Attempt, window: timedelta = timedelta(0)) -> int | None:
        """Store a check-in and relink the person's check-ins around it, atomically; its
        id, or None when the person already has a check-in at this venue within `window`
        either side of `attempt.at` (window 0: its natural key, person, instant and venue).
        The look and the insert are one atomic step: two concurrent taps store one row."""

    def add_denied(self, attempt: Attempt, reasons: str, color: str | None) -> int:
        """Store a denied attempt (never presence)."""

    def add_checkins_once(self, attempts: Sequence[Attempt]) -> list[int | None]:
        """Store each check-in unless its natural key (person, instant, venue) is already
        stored, and relink them, atomically; per attempt its new id or None (stored before)."""


# No conflict target: whatever unique key the table has (the natural key) decides. No row
# back: the same check-in is stored already (a resent upload, or a concurrent twin scan).
INSERT_CHECKIN = (
    "INSERT INTO checkins (id_number, venue_pk, sub_area_pk, scanned_at, channel,"
    " helper_user_id) VALUES (:idn, :venue_pk, :sub_area_pk, :at, :channel, :helper)"
    " ON CONFLICT DO NOTHING RETURNING id")
# A live check-in: stored unless the person has one at this venue in [:since, :until] (the
# repeat window either side, so the order in which two taps' clocks ran does not matter).
# Atomic with its own look: on PostgreSQL the per-person lock is taken first and the
# statement's snapshot (READ COMMITTED) then holds whatever an earlier holder committed;
# SQLite runs it under the write lock. The CASTs type the SELECT list's parameters
# (PostgreSQL would take an untyped NULL for text, and :idn as text here but varchar
# below). `venue_pk + 0`: as LATEST_ENTRY.
INSERT_CHECKIN_UNLESS_NEAR = (
    "INSERT INTO checkins (id_number, venue_pk, sub_area_pk, scanned_at, channel,"
    " helper_user_id) SELECT CAST(:idn AS VARCHAR), CAST(:venue_pk AS INTEGER),"
    " CAST(:sub_area_pk AS INTEGER), CAST(:at AS BIGINT), CAST(:channel AS VARCHAR),"
    " CAST(:helper AS INTEGER) WHERE NOT EXISTS ("
    "SELECT 1 FROM checkins e WHERE e.id_number = :idn AND e.venue_pk + 0 = :venue_pk"
    " AND e.scanned_at >= :since AND e.scanned_at <= :until)"
    " ON CONFLICT DO NOTHING RETURNING id")
INSERT_DENIED = (
    "INSERT INTO denied_attempts (id_number, venue_pk, sub_area_pk, attempted_at, reasons,"
    " health_color, channel, helper_user_id) VALUES (:idn, :venue_pk, :sub_area_pk, :at,"
    " :reasons, :color, :channel, :helper) RETURNING id")
# `venue_pk + 0`: the person's index (a handful of rows), never a busy venue's.
LATEST_ENTRY = (
    "SELECT id, scanned_at FROM checkins WHERE id_number = :idn AND venue_pk + 0 = :venue_pk"
    " AND scanned_at >= :since AND scanned_at <= :until ORDER BY scanned_at DESC LIMIT 1")
_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE


def _params(attempt: Attempt) -> dict[str, Any]:
    return {"idn": attempt.id_number, "venue_pk": attempt.venue_pk,
            "sub_area_pk": attempt.sub_area_pk, "at": to_micros(attempt.at),
            "channel": attempt.channel, "helper": attempt.helper_user_id}


class SqlCheckinStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def latest_entry(self, id_number: str, venue_pk: int, since: datetime,
                     until: datetime) -> Entry | None:
        rows = run(self.connection, LATEST_ENTRY, {
            "idn": id_number, "venue_pk": venue_pk, "since": to_micros(since),
            "until": to_micros(until)})
        return Entry(int(rows[0][0]), from_micros(rows[0][1])) if rows else None

    def add_checkin(self, attempt: Attempt, window: timedelta = timedelta(0)) -> int | None:
        params = _params(attempt)
        params.update(since=to_micros(attempt.at - window), until=to_micros(attempt.at + window))
        relink_params = {"idn": attempt.id_number, "at": params["at"]}
        if not self.postgres:
            # SQLite: `write` opens BEGIN IMMEDIATE (the look and the insert run under the
            # write lock); the owner of the connection commits.
            rows = run(self.connection, INSERT_CHECKIN_UNLESS_NEAR, params, write=True)
            if not rows:
                return None
            run(self.connection, RELINK_ONE["sqlite"], relink_params)
            return int(rows[0][0])
        return self._pipelined_checkin(params, relink_params)

    def _pipelined_checkin(self, params: dict[str, Any], relink_params: dict[str, Any]
                           ) -> int | None:
        """Lock, insert, relink (and BEGIN/COMMIT on an autocommit connection) in one
        round trip: the statements go out together and psycopg reads the results at the end."""
        raw = dbapi(self.connection)
        own = bool(raw.autocommit) and raw.info.transaction_status == _IDLE
        sql = self.connection
        insert, other = raw.cursor(), raw.cursor()
        try:
            with raw.pipeline():
                if own:
                    other.execute("BEGIN")
                # Before the insert: a concurrent tap of this person waits here until the
                # first commits, and the insert's look then sees its row. Every writer
                # locks its persons before inserting (`add_checkins_once` too): one order.
                other.execute(driver_sql(sql, LOCK_PERSON), {"idn": params["idn"]})
                insert.execute(driver_sql(sql, INSERT_CHECKIN_UNLESS_NEAR), params)
                other.execute(driver_sql(sql, relink_one_sql("postgresql", params["at"])),
                              relink_params)
                if own:
                    other.execute("COMMIT")
            row = insert.fetchone()  # None: one was near (the relink then changed nothing)
        except BaseException:
            if own and not raw.closed:
                raw.rollback()
            raise
        finally:
            insert.close()
            other.close()
        return None if row is None else int(row[0])

    def add_denied(self, attempt: Attempt, reasons: str, color: str | None) -> int:
        # One statement: on an autocommit connection it is its own transaction.
        rows = run(self.connection, INSERT_DENIED,
                   {**_params(attempt), "reasons": reasons, "color": color}, write=True)
        return int(rows[0][0])

    def add_checkins_once(self, attempts: Sequence[Attempt]) -> list[int | None]:
        ids: list[int | None] = [None] * len(attempts)
        # In natural-key order: two uploads sharing rows then wait for each other instead
        # of deadlocking on each other's uncommitted keys (PostgreSQL).
        order = sorted(range(len(attempts)), key=lambda i: (
            attempts[i].id_number, attempts[i].at, attempts[i].venue_pk))
        with self._transaction():
            if self.postgres:
                # Before the inserts, as a live scan does (`_pipelined_checkin`).
                lock_persons(self.connection, [a.id_number for a in attempts])
            for i in order:
                rows = run(self.connection, INSERT_CHECKIN, _params(attempts[i]), write=True)
                ids[i] = int(rows[0][0]) if rows else None
            relink(self.connection, ((a.id_number, to_micros(a.at))
                                     for a, new in zip(attempts, ids, strict=True)
                                     if new is not None))
        return ids

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """The caller's transaction; on an idle autocommit connection, one of our own."""
        raw = dbapi(self.connection) if self.postgres else None
        if raw is None or not raw.autocommit or raw.info.transaction_status != _IDLE:
            yield
            return
        raw.execute("BEGIN")
        try:
            yield
        except BaseException:
            if not raw.closed:
                raw.rollback()
            raise
        raw.execute("COMMIT")
