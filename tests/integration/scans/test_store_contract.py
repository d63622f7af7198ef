"""The SQL store and the in-memory store answer the pipeline alike (the fake stays true)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.memory_store import MemoryCheckinStore
from tests.unit.policy.factories import days_ago, decide, healthy
from venuecode.policy import HealthCode
from venuecode.scans.pipeline import record, record_offline
from venuecode.scans.store import Attempt, CheckinStore, SqlCheckinStore
from venuecode.timeutil import to_micros

T0 = datetime(2022, 4, 19, 8, 0, tzinfo=UTC)
PASS = decide(healthy())
DENY = decide(healthy(health_code=HealthCode("red", days_ago(1))))


def scenario(store: CheckinStore, venues: list[int]) -> list[object]:
    a, b = factories.id_number(51), factories.id_number(52)
    v1, v2, v3 = venues

    def at(minutes: int, person: str = a, venue: int = v1, channel: str = "scan") -> Attempt:
        return Attempt(person, venue, None, T0 + timedelta(minutes=minutes), channel)

    out: list[object] = []
    for decision, attempt in [(PASS, at(0)), (PASS, at(5)), (PASS, at(6, venue=v2)),
                              (DENY, at(7, venue=v3)), (PASS, at(20)), (PASS, at(20, venue=v3)),
                              (PASS, at(3, b, v2, "help")), (DENY, at(4, b, v2, "help"))]:
        done = record(store, decision, attempt, 10)
        out.append((done.entry_id is not None, done.repeat, done.at))
    out.append(record_offline(store, [at(12, venue=v3, channel="sentinel"),
                                      at(2, b, v1, "sentinel"), at(12, venue=v3, channel="sentinel")]))
    out.append(record_offline(store, [at(2, b, v1, "sentinel"), at(30, b, v1, "sentinel")]))
    out.append(store.latest_entry(a, v1, T0, T0 + timedelta(minutes=20)) is not None)
    return out


def memory_rows(store: MemoryCheckinStore) -> list[tuple[object, ...]]:
    return sorted((c.attempt.id_number, c.attempt.venue_pk, to_micros(c.attempt.at), c.attempt.channel,
                   None if c.next_scanned_at is None else to_micros(c.next_scanned_at))
                  for c in store.checkins)


def sql_rows(db: Session) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in db.execute(text(
        "SELECT id_number, venue_pk, scanned_at, channel, next_scanned_at FROM checkins"
        " WHERE id_number IN (:a, :b)"), {"a": factories.id_number(51), "b": factories.id_number(52)}))


def test_the_sql_store_and_the_memory_store_store_the_same(db: Session) -> None:
    venues = [factories.venue(db, name=f"约{i}").id for i in range(3)]
    memory = MemoryCheckinStore()
    sql = SqlCheckinStore(db.connection())
    assert scenario(sql, venues) == scenario(memory, venues)
    assert sql_rows(db) == memory_rows(memory)
    denied = db.execute(text("SELECT reasons, health_color, channel FROM denied_attempts"
                             " WHERE id_number IN (:a, :b) ORDER BY attempted_at"),
                        {"a": factories.id_number(51), "b": factories.id_number(52)}).all()
    assert [tuple(d) for d in denied] == [(d.reasons, d.color, d.attempt.channel)
                                          for d in sorted(memory.denied, key=lambda d: d.attempt.at)]


def test_both_stores_store_a_live_check_in_once_per_natural_key(db: Session) -> None:
    """A twin (the same person, venue and instant, e.g. two concurrent requests) is not
    stored twice: the store says so and the pipeline answers with the stored entry."""
    venue = factories.venue(db).id
    attempt = Attempt(factories.id_number(53), venue, None, T0)
    for store in (MemoryCheckinStore(), SqlCheckinStore(db.connection())):
        first = store.add_checkin(attempt)
        assert first is not None and store.add_checkin(attempt) is None
        # As when the API's read ran before the twin committed: it found no earlier entry.
        again = record(store, PASS, attempt, 10, earlier=None)
        assert (again.entry_id, again.repeat, again.at) == (first, True, T0)


def test_both_stores_answer_a_tap_whose_clock_ran_behind_as_a_repeat(db: Session) -> None:
    """Two concurrent taps read before either stored; the one with the later instant stored
    first. The other, a moment earlier, finds it within the repeat window (either side) in
    the store's own atomic look: one check-in, and the second tap is answered as a repeat."""
    venue = factories.venue(db).id
    person = factories.id_number(54)
    for store in (MemoryCheckinStore(), SqlCheckinStore(db.connection())):
        ahead = record(store, PASS, Attempt(person, venue, None, T0 + timedelta(milliseconds=3)),
                       10, earlier=None)
        behind = record(store, PASS, Attempt(person, venue, None, T0), 10, earlier=None)
        assert (behind.entry_id, behind.repeat, behind.at) == (ahead.entry_id, True, ahead.at)
        # Beyond the window either side, a tap is a check-in of its own.
        later = record(store, PASS, Attempt(person, venue, None, T0 + timedelta(minutes=11)),
                       10, earlier=None)
        assert not later.repeat and later.entry_id != ahead.entry_id
    assert db.execute(text("SELECT count(*) FROM checkins WHERE id_number = :p"),
                      {"p": person}).scalar_one() == 2
