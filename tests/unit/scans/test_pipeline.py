"""The check-in pipeline on the in-memory store: what a decision stores, for every path."""

from __future__ import annotations

from datetime import timedelta

from tests.support.memory_store import MemoryCheckinStore
from tests.unit.policy.factories import NOW, days_ago, decide, healthy
from venuecode.policy import HealthCode
from venuecode.scans.pipeline import record, record_offline
from venuecode.scans.store import Attempt, Entry

PASS = decide(healthy())
DENY = decide(healthy(health_code=HealthCode("red", days_ago(1))))
WINDOW = 10  # minutes
PERSON = "330106198503140012"


def at(minutes: float, venue: int = 1, person: str = PERSON, channel: str = "scan") -> Attempt:
    return Attempt(person, venue, None, NOW + timedelta(minutes=minutes), channel)


def test_a_pass_stores_a_check_in_with_its_channel_and_helper() -> None:
    store = MemoryCheckinStore()
    attempt = Attempt(PERSON, 7, 70, NOW, "help", helper_user_id=5)
    done = record(store, PASS, attempt, WINDOW)
    assert (done.entry_id, done.repeat, done.at) == (store.checkins[0].id, False, NOW)
    assert [c.attempt for c in store.checkins] == [attempt] and store.denied == []


def test_a_second_pass_at_the_venue_within_the_window_is_the_first_entry() -> None:
    store = MemoryCheckinStore()
    first = record(store, PASS, at(0), WINDOW)
    again = record(store, PASS, at(WINDOW), WINDOW)  # the window's edge still repeats
    assert (again.entry_id, again.repeat, again.at) == (first.entry_id, True, NOW)
    assert len(store.checkins) == 1


def test_after_the_window_or_at_another_venue_a_pass_is_a_new_check_in() -> None:
    store = MemoryCheckinStore()
    record(store, PASS, at(0), WINDOW)
    other_venue = record(store, PASS, at(1, venue=2), WINDOW)
    later = record(store, PASS, at(WINDOW + 0.001), WINDOW)
    assert not other_venue.repeat and not later.repeat
    assert [c.attempt.at for c in store.checkins] == [NOW, NOW + timedelta(minutes=1),
                                                     NOW + timedelta(minutes=WINDOW + 0.001)]


def test_a_deny_stores_a_denied_attempt_with_reasons_and_colour_never_presence() -> None:
    store = MemoryCheckinStore()
    done = record(store, DENY, at(0, channel="sentinel"), WINDOW)
    assert (done.entry_id, done.repeat) == (None, False)
    assert store.checkins == []
    (denied,) = store.denied
    assert (denied.reasons, denied.color, denied.attempt.channel) == ("health_code_red", "red",
                                                                  "sentinel")
    # A denied attempt is no entry to repeat: the next pass is stored.
    assert not record(store, PASS, at(1), WINDOW).repeat and len(store.checkins) == 1


def test_an_earlier_entry_read_by_the_caller_is_used_when_inside_the_window() -> None:
    store = MemoryCheckinStore()
    read = Entry(41, NOW - timedelta(minutes=3))
    assert record(store, PASS, at(0), WINDOW, earlier=read).entry_id == 41
    assert store.checkins == []
    stale = Entry(42, NOW - timedelta(minutes=WINDOW + 1))
    assert not record(store, PASS, at(0), WINDOW, earlier=stale).repeat
    # None: the caller looked and found nothing; the store's own look, atomic with its
    # insert, still finds the entry stored since (a concurrent tap): a repeat, no new row.
    again = record(store, PASS, at(1), WINDOW, earlier=None)
    assert again.repeat and again.at == at(0).at
    assert len(store.checkins) == 1


def test_offline_uploads_keep_original_times_and_store_each_natural_key_once() -> None:
    store = MemoryCheckinStore()
    record(store, PASS, at(30), WINDOW)  # live scan after the outage
    queued = [at(-20, channel="sentinel"), at(-5, channel="sentinel"),
              at(-20, channel="sentinel"),  # the same scan twice in one upload
              at(-5, venue=2, channel="sentinel")]
    assert record_offline(store, queued) == [True, True, False, True]
    assert record_offline(store, queued) == [False, False, False, False]
    assert sorted(c.attempt.at for c in store.checkins) == [
        NOW - timedelta(minutes=20), NOW - timedelta(minutes=5), NOW - timedelta(minutes=5),
        NOW + timedelta(minutes=30)]
    # No repeat window offline: two minutes apart at one venue are two check-ins.
    assert record_offline(store, [at(-18, channel="sentinel")]) == [True]


def test_a_late_upload_relinks_the_check_ins_around_it() -> None:
    store = MemoryCheckinStore()
    record(store, PASS, at(0), WINDOW)
    record(store, PASS, at(60, venue=2), WINDOW)
    record_offline(store, [at(30, venue=3, channel="sentinel")])
    by_time = sorted(store.checkins, key=lambda c: c.attempt.at)
    assert [c.next_scanned_at for c in by_time] == [NOW + timedelta(minutes=30),
                                                    NOW + timedelta(minutes=60), None]


def test_an_empty_upload_stores_nothing() -> None:
    assert record_offline(MemoryCheckinStore(), []) == []


def test_a_twin_stored_concurrently_is_answered_as_the_repeat_it_is() -> None:
    store = MemoryCheckinStore()
    first = record(store, PASS, at(0), WINDOW)
    # The caller's read ran before the twin (same person, venue, instant) was stored.
    twin = record(store, PASS, at(0), WINDOW, earlier=None)
    assert (twin.entry_id, twin.repeat, twin.at) == (first.entry_id, True, NOW)
    assert len(store.checkins) == 1
