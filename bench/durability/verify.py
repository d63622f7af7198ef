"""After the restart: is every acknowledged check-in stored as acknowledged, and does every
stored `next_scanned_at` equal its definition?

The definition (docs/tracing.md, `venuecode.scans.succession`), recomputed here in Python
from the stored rows and nothing else:

    next_scanned_at(c) = MIN(n.scanned_at) over the same person's check-ins n with
        n.scanned_at > c.scanned_at, or n.scanned_at = c.scanned_at at another venue
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.durability.databases import reader_engine
from bench.durability.scanload import Ack
from sqlalchemy import text

Row = tuple[int, str, int, int, int | None]  # id, id_number, venue_pk, scanned_at, next


@dataclass
class Verdict:
    rows: int
    acked_checkins: int
    acked_denials: int
    lost: list[tuple[Ack, Row | None]] = field(default_factory=list)  # missing or different
    wrong_next: list[tuple[Row, int | None]] = field(default_factory=list)  # row, expected
    # Stored but never acknowledged: written by a request in flight at the kill (allowed).
    unacknowledged: int = 0
    # Wrong rows that are such a row or whose true successor is one: the crash fell
    # between writing a check-in and relinking around it.
    wrong_next_by_crash: int = 0

    @property
    def ok(self) -> bool:
        return not self.lost and not self.wrong_next


def stored_checkins(database_url: str) -> list[Row]:
    engine = reader_engine(database_url)
    try:
        with engine.connect() as conn:
            return [(int(r[0]), str(r[1]), int(r[2]), int(r[3]), None if r[4] is None else int(r[4]))
                    for r in conn.execute(text(
                        "SELECT id, id_number, venue_pk, scanned_at, next_scanned_at FROM checkins"))]
    finally:
        engine.dispose()


def expected_next(rows: Iterable[Row]) -> dict[int, int | None]:
    """Each row's `next_scanned_at` by the definition."""
    by_person: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_person[row[1]].append(row)
    expected: dict[int, int | None] = {}
    for person_rows in by_person.values():
        instants = sorted({r[3] for r in person_rows})
        venues_at: dict[int, set[int]] = defaultdict(set)
        for r in person_rows:
            venues_at[r[3]].add(r[2])
        later = {t: (instants[i + 1] if i + 1 < len(instants) else None)
                 for i, t in enumerate(instants)}
        for r in person_rows:
            expected[r[0]] = r[3] if len(venues_at[r[3]]) > 1 else later[r[3]]
    return expected


def verify(database_url: str, acks: Sequence[Ack]) -> Verdict:
    rows = stored_checkins(database_url)
    by_id = {r[0]: r for r in rows}
    checkins = [a for a in acks if a.checkin_id is not None]
    verdict = Verdict(rows=len(rows), acked_checkins=len(checkins),
                      acked_denials=len(acks) - len(checkins))
    for ack in checkins:
        row = by_id.get(ack.checkin_id or 0)
        if row is None or (row[1], row[2], row[3]) != (ack.id_number, ack.venue_pk, ack.scanned_at):
            verdict.lost.append((ack, row))
    want = expected_next(rows)
    verdict.wrong_next = [(r, want[r[0]]) for r in rows if r[4] != want[r[0]]]
    acked = {a.checkin_id for a in checkins}
    unacked = {(r[1], r[3]) for r in rows if r[0] not in acked}
    verdict.unacknowledged = sum(1 for r in rows if r[0] not in acked)
    verdict.wrong_next_by_crash = sum(1 for r, nxt in verdict.wrong_next
                                      if (r[1], r[3]) in unacked or (r[1], nxt) in unacked)
    return verdict
