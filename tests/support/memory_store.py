"""An in-memory `CheckinStore`: the check-in pipeline's unit tests need no database.

It keeps `next_scanned_at` by its definition (tracing rule 2, `scans.succession`), and the
store contract test (tests/integration/scans/test_store_contract.py) runs the same
scenarios on it and on the SQL store, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from venuecode.scans.store import Attempt, Entry


@dataclass
class StoredCheckin:
    id: int
    attempt: Attempt
    next_scanned_at: datetime | None = None


@dataclass
class StoredDenial:
    id: int
    attempt: Attempt
    reasons: str
    color: str | None


@dataclass
class MemoryCheckinStore:
    checkins: list[StoredCheckin] = field(default_factory=list)
    denied: list[StoredDenial] = field(default_factory=list)
    _ids: int = 0

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def latest_entry(self, id_number: str, venue_pk: int, since: datetime,
                     until: datetime) -> Entry | None:
        rows = [c for c in self.checkins if c.attempt.id_number == id_number
                and c.attempt.venue_pk == venue_pk and since <= c.attempt.at <= until]
        latest = max(rows, key=lambda c: c.attempt.at, default=None)
        return None if latest is None else Entry(latest.id, latest.attempt.at)

    def add_checkin(self, attempt: Attempt, window: timedelta = timedelta(0)) -> int | None:
        if self.latest_entry(attempt.id_number, attempt.venue_pk, attempt.at - window,
                             attempt.at + window) is not None:
            return None
        row = StoredCheckin(self._next_id(), attempt)
        self.checkins.append(row)
        self._relink(attempt.id_number)
        return row.id

    def add_denied(self, attempt: Attempt, reasons: str, color: str | None) -> int:
        row = StoredDenial(self._next_id(), attempt, reasons, color)
        self.denied.append(row)
        return row.id

    def add_checkins_once(self, attempts: Sequence[Attempt]) -> list[int | None]:
        keys = {self._key(c.attempt) for c in self.checkins}
        ids: list[int | None] = []
        for attempt in attempts:
            if self._key(attempt) in keys:
                ids.append(None)
                continue
            keys.add(self._key(attempt))
            row = StoredCheckin(self._next_id(), attempt)
            self.checkins.append(row)
            ids.append(row.id)
        for person in {a.id_number for a in attempts}:
            self._relink(person)
        return ids

    @staticmethod
    def _key(attempt: Attempt) -> tuple[str, datetime, int]:
        return attempt.id_number, attempt.at, attempt.venue_pk

    def _relink(self, person: str) -> None:
        rows = [c for c in self.checkins if c.attempt.id_number == person]
        for c in rows:
            later = [n.attempt.at for n in rows if n.attempt.at > c.attempt.at
                     or (n.attempt.at == c.attempt.at and n.attempt.venue_pk != c.attempt.venue_pk)]
            c.next_scanned_at = min(later, default=None)
