"""Values of the tracing engine and the presence-source protocol.

Times are `int` microseconds since the Unix epoch, UTC (the database's own unit, so the
database layer passes raw ints). Minutes are floats, `micros / 60_000_000`.

## The presence-source protocol

The engine never sees check-ins; it asks a `PresenceSource` for presence intervals
(rule 2 of `tracing-rules.md`), in two batched shapes:

- `intervals_of(persons, start, end)`: every presence interval of these persons that
  intersects `[start, end)` (i.e. `interval.start < end and interval.end > start`).
  Called once for all cases and once per tier for all contacts of that tier.
- `intervals_at(windows)`: for each `(venue, start, end)` window, every presence interval
  of anyone at `venue` that intersects `[start, end)`. Called once per tier with all the
  windows of that tier (thousands for a large outbreak), so a database can answer them
  in one query (e.g. a join against a VALUES list, or a few chunked queries).

Both return an `IntervalBatch`: the intervals as columns (int64 arrays and name tables),
because a large outbreak has millions of candidate intervals and the engine works on
them with numpy; `IntervalBatch.of(intervals)` builds one from `Interval` objects.
Rows may come in any order; duplicates and intervals beyond what was asked are allowed
(the engine deduplicates and filters). Intervals must already follow rule 2 computed
over the person's FULL check-in history: the next check-in that ends an interval may
lie outside the window asked for. Empty intervals (`end <= start`) may be left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Columns of int64: times in micros, or codes into a name table.
Column = NDArray[np.int64]

MICROS_PER_MINUTE = 60_000_000
MICROS_PER_DAY = 86_400_000_000

CASE = "case"
CLOSE = "close"
GENERAL = "general"
SECONDARY = "secondary"
TERTIARY = "tertiary"


def minutes(micros: int) -> float:
    """Micros as minutes; comparisons use this value unrounded (rule 4)."""
    return micros / MICROS_PER_MINUTE


def tier_name(level: int) -> str:
    """Name of chain level `level`: 1 close, 2 secondary, 3 tertiary, then tier4, tier5..."""
    if level < 1:
        raise ValueError(f"tier level starts at 1, got {level}")
    return {1: CLOSE, 2: SECONDARY, 3: TERTIARY}.get(level, f"tier{level}")


def tier_rank(tier: str) -> int:
    """Sort key for rule 5's precedence: case > close > secondary > tertiary > ... > general."""
    if tier == CASE:
        return 0
    if tier == GENERAL:
        return 1_000_000
    names = {CLOSE: 1, SECONDARY: 2, TERTIARY: 3}
    if tier in names:
        return names[tier]
    if tier.startswith("tier") and tier[4:].isdigit():
        return int(tier[4:])
    raise ValueError(f"unknown tier {tier!r}")


@dataclass(frozen=True, slots=True)
class Presence:
    """One admitted check-in as the engine reads it (not the `scans.models.Checkin` row);
    `checked_out_at` is the exit scan, if any."""

    person: str
    venue: str
    scanned_at: int
    checked_out_at: int | None = None


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open interval `[start, end)` of `person` at `venue`."""

    person: str
    venue: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Case:
    """A case with reference time R and isolation time I (None: the trace's `as_of`)."""

    person: str
    reference: int
    isolated: int | None = None


@dataclass(frozen=True, slots=True)
class TraceOptions:
    """Options of one trace (rule defaults from the spec).

    `contact_isolated` gives isolation times `I_K` of contacts (rule 5.3); contacts not
    listed are taken as isolated at `as_of`, as the spec says.
    """

    as_of: int
    look_back_days: float = 4
    close_minutes: float = 15
    depth: int = 2
    contact_isolated: Mapping[str, int] = field(default_factory=dict)
    # Stay lengths (minutes) per venue category that differ from the category table: the
    # source applies them; the engine only reports them with the rules.
    dwell_minutes: Mapping[str, float] = field(default_factory=dict)

    @property
    def look_back_micros(self) -> int:
        # Rounded once, here, so every consumer agrees to the microsecond.
        return round(self.look_back_days * MICROS_PER_DAY)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One positive overlap between the source's exposure interval and the contact's presence."""

    venue: str
    start: int
    end: int

    @property
    def minutes(self) -> float:
        return minutes(self.end - self.start)


@dataclass(frozen=True, slots=True)
class Contact:
    """A reported person: tier, source, exposure to that source and its evidence."""

    person: str
    tier: str
    source: str
    exposure_minutes: float
    evidence: list[Evidence]


@dataclass(frozen=True, slots=True)
class CaseWindow:
    """A case as traced: `isolated` as given, `window_end` the effective I."""

    person: str
    reference: int
    isolated: int | None
    window_start: int
    window_end: int


@dataclass(frozen=True, slots=True)
class ExposedVenue:
    """Rule 6: a venue with the cases' exposure intervals there (`Interval.person` = case)."""

    venue: str
    intervals: list[Interval]


@dataclass(frozen=True, slots=True)
class TraceResult:
    as_of: int
    rules: dict[str, object]
    cases: list[CaseWindow]
    contacts: list[Contact]
    venues: list[ExposedVenue]


@dataclass(frozen=True, slots=True, eq=False, init=False)
class IntervalBatch:
    """Presence intervals as columns: row `i` is
    `Interval(persons[person[i]], venues[venue[i]], start[i], end[i])`.

    `persons` and `venues` are name tables in any order (a name may appear twice); the
    four columns are converted to int64 arrays of one length, codes checked against the
    tables. Iterating yields `Interval` objects (tests, small callers).
    """

    persons: Sequence[str]
    venues: Sequence[str]
    person: Column
    venue: Column
    start: Column
    end: Column

    def __init__(
        self,
        persons: Sequence[str],
        venues: Sequence[str],
        person: ArrayLike,
        venue: ArrayLike,
        start: ArrayLike,
        end: ArrayLike,
    ) -> None:
        columns = [np.asarray(c, dtype=np.int64) for c in (person, venue, start, end)]
        n = len(columns[0])
        if any(c.ndim != 1 or len(c) != n for c in columns):
            raise ValueError("IntervalBatch columns must be one-dimensional and of one length")
        for codes, table, what in ((columns[0], persons, "person"), (columns[1], venues, "venue")):
            if n and (int(codes.min()) < 0 or int(codes.max()) >= len(table)):
                raise ValueError(f"IntervalBatch {what} codes must index its table of {len(table)} names")
        # Frozen: assigned the way dataclasses do it, after converting the columns.
        for name, value in zip(("persons", "venues", "person", "venue", "start", "end"),
                               (persons, venues, *columns), strict=True):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, intervals: Iterable[Interval]) -> IntervalBatch:
        persons: dict[str, int] = {}
        venues: dict[str, int] = {}
        person: list[int] = []
        venue: list[int] = []
        start: list[int] = []
        end: list[int] = []
        for iv in intervals:
            person.append(persons.setdefault(iv.person, len(persons)))
            venue.append(venues.setdefault(iv.venue, len(venues)))
            start.append(iv.start)
            end.append(iv.end)
        return cls(list(persons), list(venues), person, venue, start, end)

    @classmethod
    def empty(cls) -> IntervalBatch:
        return cls.of(())

    def __len__(self) -> int:
        return len(self.start)

    def __iter__(self) -> Iterator[Interval]:
        persons, venues = self.persons, self.venues
        columns = (self.person.tolist(), self.venue.tolist(), self.start.tolist(), self.end.tolist())
        for p, v, s, e in zip(*columns, strict=True):
            yield Interval(persons[p], venues[v], s, e)


class PresenceSource(Protocol):
    """Where presence intervals come from; see the module docstring for the contract."""

    def intervals_of(self, persons: Collection[str], start: int, end: int) -> IntervalBatch: ...

    def intervals_at(self, windows: Sequence[tuple[str, int, int]]) -> IntervalBatch: ...
