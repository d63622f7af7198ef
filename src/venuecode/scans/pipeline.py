"""The check-in pipeline: the one use case that records presence or a denied attempt.

Every path ends here: the API scan, the page scan, help-scan, the gate scanner live
(`record`) and its offline uploads (`record_offline`). The decision was already made by
the pure policy (`policy.engine.evaluate`); this decides what to store:

- a pass is a check-in, unless the person already checked in at this venue within
  `repeat_minutes` (then that entry is returned, nothing stored; likewise when a
  concurrent tap stored a check-in within `repeat_minutes` either side first: the store
  looks and inserts in one atomic step, so a double tap is one check-in by construction);
- a deny is a denied attempt with its reasons and colour (never presence);
- an offline upload stores each check-in at its original time, once per natural key
  (person, instant, venue), so an upload sent twice stores nothing twice.

Storage is the `CheckinStore` port (`scans.store`): SQL in production, in memory in the
unit tests (`tests/support/memory_store.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from venuecode.policy.engine import Decision
from venuecode.scans.store import Attempt, CheckinStore, Entry


@dataclass(frozen=True, slots=True)
class Recorded:
    entry_id: int | None  # the check-in (new or the repeat's); None for a denied attempt
    repeat: bool
    at: datetime  # the check-in's time (the first one's for a repeat)


class _NotRead:
    pass


# The caller has not looked for an earlier entry: the store is asked.
NOT_READ: Final = _NotRead()


def record(store: CheckinStore, decision: Decision, attempt: Attempt, repeat_minutes: int,
           earlier: Entry | _NotRead | None = NOT_READ) -> Recorded:
    """Store what `decision` means for `attempt`. `earlier`: the person's latest entry at
    this venue, when the caller read it already (the API scan reads it with the facts)."""
    if decision.verdict != "pass":
        store.add_denied(attempt, ",".join(r.code for r in decision.denying_reasons),
                         decision.panels.health_code.color)
        return Recorded(None, False, attempt.at)
    window = timedelta(minutes=repeat_minutes)
    since = attempt.at - window
    if isinstance(earlier, _NotRead):
        earlier = store.latest_entry(attempt.id_number, attempt.venue_pk, since, attempt.at)
    if earlier is not None and since <= earlier.at <= attempt.at:
        return Recorded(earlier.id, True, earlier.at)
    # The read above is only the fast path: the store looks again, atomically with the
    # insert, so a concurrent tap (read before either stored) cannot make a second row.
    entry_id = store.add_checkin(attempt, window)
    if entry_id is None:
        # A concurrent tap of this person at this venue stored first, within the window on
        # either side (its clock may have run a moment ahead): answer as a repeat does.
        near = store.latest_entry(attempt.id_number, attempt.venue_pk, since, attempt.at + window)
        assert near is not None
        return Recorded(near.id, True, near.at)
    return Recorded(entry_id, False, attempt.at)


def record_offline(store: CheckinStore, attempts: Sequence[Attempt]) -> list[bool]:
    """Check-ins a device queued offline, at their original times: per attempt, True if
    stored now, False if its natural key was stored before (or earlier in this upload).

    Stored whatever the verdict was then: the person was let in, and tracing needs them.
    No repeat window: the device sent what happened, and the natural key dedupes resends.
    """
    first: dict[tuple[str, datetime, int], int] = {}  # natural key -> index of its first
    for i, attempt in enumerate(attempts):
        first.setdefault((attempt.id_number, attempt.at, attempt.venue_pk), i)
    order = list(first.values())
    ids = store.add_checkins_once([attempts[i] for i in order]) if order else []
    stored = {i for i, entry_id in zip(order, ids, strict=True) if entry_id is not None}
    return [i in stored for i in range(len(attempts))]
