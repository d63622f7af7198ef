"""The trace: rules 3-7 of `tracing-rules.md` over a `PresenceSource`.

One trace makes 2 + 2 * (depth - 1) source calls at most: `intervals_of` for all cases,
`intervals_at` for all case exposure windows, then per further level `intervals_of` for
all contacts of the level above and `intervals_at` for all their exposure windows.

The intervals stay columns (`IntervalBatch`) from the source to the contacts: a large
outbreak has millions of candidate intervals and pairs, which numpy handles in bulk
(docs/tracing-rules.md, "How each rule is implemented"). Names are turned into codes in
code-point order wherever an order or a tie depends on them.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from venuecode.tracing.intervals import (
    DENSE_CELLS,
    distinct_names,
    expand_ranges,
    merged_spans,
    overlap_ranges,
    pair_chunks,
    prefers_dense,
    sorted_names,
    strongest_sources,
)
from venuecode.tracing.types import (
    CLOSE,
    GENERAL,
    MICROS_PER_MINUTE,
    Case,
    CaseWindow,
    Column,
    Contact,
    Evidence,
    ExposedVenue,
    Interval,
    IntervalBatch,
    PresenceSource,
    TraceOptions,
    TraceResult,
    tier_name,
)

RULES_VERSION = 1

# Candidate pairs (same venue, possibly overlapping) expanded at once: bounds the
# engine's working memory (~60 bytes a pair) whatever the outbreak's size.
MAX_PAIRS = 2_000_000

Progress = Callable[[str, int, int], None]
Mask = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Exposed:
    """People exposed to the sources of one level, one row each, by person code: the
    strongest source (largest exposure, ties to the smaller id), the exposure to it in
    micros, the first contact with ANY source, and the evidence with the strongest source
    (evidence rows `evidence_at[i]:evidence_at[i + 1]`, sorted by start, end, venue)."""

    person: Column
    source: Column
    micros: Column
    first: Column
    evidence_at: Column
    venue: Column
    start: Column
    end: Column


@dataclass(frozen=True, slots=True)
class _Level:
    """One level's exposed people and the name tables their codes point into."""

    exposed: _Exposed
    names: list[str]  # person codes
    sources: list[str]  # source codes, in code-point order
    venues: list[str]  # venue codes, in code-point order

    def names_of(self, rows: Column) -> list[str]:
        names: list[str] = np.array(self.names, dtype=object)[self.exposed.person[rows]].tolist()
        return names


@dataclass(frozen=True, slots=True)
class _Tier:
    """The rows of a level reported in one tier."""

    name: str
    level: _Level
    rows: Column


def trace(
    cases: Sequence[Case],
    source: PresenceSource,
    options: TraceOptions,
    progress: Progress | None = None,
) -> TraceResult:
    """Trace the contacts of `cases` (rules 3-7). `progress(stage, done, total)` is called
    after each step: "cases", then one per tier level ("close", "secondary", ...)."""
    _validate(cases, options)
    total_steps = options.depth + 1
    as_of = options.as_of
    look_back = options.look_back_micros

    case_windows = [
        CaseWindow(
            c.person,
            c.reference,
            c.isolated,
            c.reference - look_back,
            as_of if c.isolated is None else c.isolated,
        )
        for c in cases
    ]
    case_exposure = _exposure_intervals(source, {w.person: (w.window_start, w.window_end) for w in case_windows})
    _report(progress, "cases", 1, total_steps)

    excluded = {c.person for c in cases}  # never reported as contacts
    level = _exposed_to(case_exposure, source, excluded, None)
    close = _reaching(level.exposed.micros, options.close_minutes)
    chain = [_Tier(CLOSE, level, np.flatnonzero(close))]
    general = _Tier(GENERAL, level, np.flatnonzero(~close))
    _report(progress, CLOSE, 2, total_steps)

    for depth in range(2, options.depth + 1):
        above = chain[-1]
        current = above.level.names_of(above.rows)
        firsts = above.level.exposed.first[above.rows].tolist()
        # Rule 5.3: candidates are neither cases nor in a chain tier already; general
        # contacts stay candidates because every chain tier outranks general.
        excluded.update(current)
        windows = {k: (first, options.contact_isolated.get(k, as_of)) for k, first in zip(current, firsts, strict=True)}
        level = _exposed_to(_exposure_intervals(source, windows), source, excluded, options.close_minutes)
        # At these levels `_exposed_to` keeps only the people reaching close_minutes.
        chain.append(_Tier(tier_name(depth), level, np.arange(len(level.exposed.person))))
        _report(progress, tier_name(depth), depth + 1, total_steps)

    with gc_paused():
        return TraceResult(
            as_of=as_of,
            rules=_rules(options),
            cases=case_windows,
            contacts=_contacts(chain, general),
            venues=_exposed_venues(case_exposure),
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a result's objects are built.

    A large outbreak makes millions of small objects (contacts, evidence, JSON dicts) that
    never form cycles; with the collector on, its full collections walk everything made so
    far again and again, which doubled the time to build them. Reference counting still
    frees everything; collection resumes afterwards if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _validate(cases: Sequence[Case], options: TraceOptions) -> None:
    if options.depth < 1:
        raise ValueError(f"depth must be at least 1, got {options.depth}")
    if not options.close_minutes > 0:
        # With 0 every person in the city would have exposure >= close_minutes.
        raise ValueError(f"close_minutes must be positive, got {options.close_minutes}")
    if options.look_back_days < 0:
        raise ValueError(f"look_back_days must not be negative, got {options.look_back_days}")
    seen: set[str] = set()
    for c in cases:
        if c.person in seen:
            raise ValueError(f"person {c.person!r} is listed as a case twice")
        seen.add(c.person)


# -- exposure intervals (rule 3, rule 5.3) ------------------------------------------------


def _exposure_intervals(source: PresenceSource, windows: Mapping[str, tuple[int, int]]) -> IntervalBatch:
    """Presence intervals of each person clipped to that person's window, without
    duplicates, sorted by (venue, start, end, person); both name tables in code-point
    order, so codes compare as the names do."""
    live = {p: w for p, w in windows.items() if w[1] > w[0]}
    if not live:
        return IntervalBatch.empty()
    # One call for everyone over the union of the windows; clipping per person after.
    lo = min(w[0] for w in live.values())
    hi = max(w[1] for w in live.values())
    batch = source.intervals_of(sorted(live), lo, hi)
    persons, person = sorted_names(batch.persons, batch.person)
    venues, venue = sorted_names(batch.venues, batch.venue)
    asked = np.array([p in live for p in persons], dtype=bool)
    bounds = np.array([live.get(p, (0, 0)) for p in persons], dtype=np.int64).reshape(-1, 2)
    start = np.maximum(batch.start, bounds[person, 0])
    end = np.minimum(batch.end, bounds[person, 1])
    keep = asked[person] & (end > start)
    person, venue, start, end = person[keep], venue[keep], start[keep], end[keep]
    order = np.lexsort((person, end, start, venue))
    person, venue, start, end = person[order], venue[order], start[order], end[order]
    distinct = _first_of_runs(person, venue, start, end)
    return IntervalBatch(persons, venues, person[distinct], venue[distinct], start[distinct], end[distinct])


def _first_of_runs(*columns: Column) -> Mask:
    """Rows that differ from the row before in some column (sorted rows: drops duplicates)."""
    n = len(columns[0])
    differs = np.zeros(n, dtype=bool)
    if n:
        differs[0] = True
        for c in columns:
            differs[1:] |= c[1:] != c[:-1]
    return differs


# -- overlaps and exposure (rules 4-5) ----------------------------------------------------


def _exposed_to(
    sources: IntervalBatch, source: PresenceSource, excluded: set[str], close_minutes: float | None
) -> _Level:
    """Every non-excluded person with a positive overlap with the `sources` exposure
    intervals (from `_exposure_intervals`), with the strongest source and its evidence.
    With `close_minutes`, only the people whose strongest exposure reaches it."""
    if not len(sources):
        return _Level(_no_one(), [], [], [])
    venues = list(sources.venues)
    names, candidates = _candidates(source.intervals_at(_windows(sources)), venues, excluded)
    candidates = _in_reach(candidates, sources)
    n_sources = len(sources.persons)
    parts = [_strongest(pairs, n_sources, close_minutes) for pairs in _pairs(candidates, sources)]
    return _Level(_concat(parts), names, list(sources.persons), venues)


def _windows(sources: IntervalBatch) -> list[tuple[str, int, int]]:
    """The exposure intervals merged per venue, as the windows to ask the source about."""
    spans = merged_spans(sources.venue, sources.start, sources.end)
    return [(sources.venues[v], s, e) for v, s, e in zip(*(c.tolist() for c in spans), strict=True)]


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Intervals of people who may have been exposed, with `lo:hi`, the slice of the
    exposure intervals that may overlap each (`intervals.overlap_ranges`)."""

    person: Column
    venue: Column
    start: Column
    end: Column
    lo: Column
    hi: Column

    def take(self, rows: Column | Mask) -> _Candidates:
        return _Candidates(*(c[rows] for c in (self.person, self.venue, self.start, self.end, self.lo, self.hi)))


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Positive overlaps of candidates with sources, grouped by person (ascending)."""

    person: Column
    source: Column
    venue: Column
    start: Column
    end: Column


def _candidates(batch: IntervalBatch, venues: list[str], excluded: set[str]) -> tuple[list[str], _Candidates]:
    """The batch's non-empty intervals of people not excluded at the given venues (codes
    into `venues`), and the names their person codes point into; slices not set yet."""
    names, person = distinct_names(batch.persons, batch.person)
    allowed = np.array([p not in excluded for p in names], dtype=bool)
    code = {v: i for i, v in enumerate(venues)}
    venue = np.array([code.get(v, -1) for v in batch.venues], dtype=np.int64)[batch.venue]
    keep = allowed[person] & (venue >= 0) & (batch.end > batch.start)
    none = np.zeros(0, dtype=np.int64)
    return names, _Candidates(person[keep], venue[keep], batch.start[keep], batch.end[keep], none, none)


def _in_reach(candidates: _Candidates, sources: IntervalBatch) -> _Candidates:
    """The candidates that some exposure interval may overlap, with their slices, sorted by
    person (pairs come out grouped per person, chunks never split one) and without the
    duplicates the protocol allows."""
    c = candidates
    lo, hi = overlap_ranges(sources.venue, sources.start, sources.end, c.venue, c.start, c.end)
    c = _Candidates(c.person, c.venue, c.start, c.end, lo, hi).take(hi > lo)
    c = c.take(np.lexsort((c.end, c.start, c.person * len(sources.venues) + c.venue)))
    return c.take(_first_of_runs(c.person, c.venue, c.start, c.end))


def _pairs(candidates: _Candidates, sources: IntervalBatch) -> Iterator[_Pairs]:
    """The positive overlaps of the candidates with the exposure intervals, in chunks of at
    most `MAX_PAIRS` candidate pairs that never split a person."""
    c = candidates
    group_starts = np.flatnonzero(_first_of_runs(c.person))
    counts = c.hi - c.lo
    # Few enough sources per person to total them in dense tables: chunks sized to them.
    n_sources = len(sources.persons)
    dense = prefers_dense(len(group_starts), n_sources, int(counts.sum()))
    max_persons = max(1, DENSE_CELLS // n_sources) if dense else None
    for r0, r1 in pair_chunks(counts, group_starts, MAX_PAIRS, max_persons):
        n = counts[r0:r1]
        k = expand_ranges(c.lo[r0:r1], c.hi[r0:r1])
        start = np.repeat(c.start[r0:r1], n)
        # The slice's sources start before the candidate ends: they overlap it iff they
        # end after it starts (half-open: touching is no overlap).
        positive = sources.end[k] > start
        k = k[positive]
        # Never a person with themself: the sources' people are all excluded.
        yield _Pairs(
            person=np.repeat(c.person[r0:r1], n)[positive],
            source=sources.person[k],
            venue=np.repeat(c.venue[r0:r1], n)[positive],
            start=np.maximum(start[positive], sources.start[k]),
            end=np.minimum(np.repeat(c.end[r0:r1], n)[positive], sources.end[k]),
        )


def _strongest(pairs: _Pairs, n_sources: int, close_minutes: float | None) -> _Exposed:
    """One row per person: the strongest source and the exposure to it, the first contact
    over all sources, and the evidence with the strongest source."""
    if not len(pairs.person):
        return _no_one()
    new_person = _first_of_runs(pairs.person)
    person_at = np.flatnonzero(new_person)
    local = np.cumsum(new_person) - 1  # the person's row, per pair
    best, micros = strongest_sources(local, pairs.source, pairs.end - pairs.start, len(person_at), n_sources)
    first = np.minimum.reduceat(pairs.start, person_at)
    rows = np.arange(len(person_at))
    if close_minutes is not None:
        rows = np.flatnonzero(_reaching(micros, close_minutes))
    kept = np.full(len(person_at), -2, dtype=np.int64)  # -2 never equals a source code
    kept[rows] = best[rows]
    evidence = np.flatnonzero(pairs.source == kept[local])
    order = np.lexsort((pairs.venue[evidence], pairs.end[evidence], pairs.start[evidence], local[evidence]))
    evidence = evidence[order]
    # Every kept person has evidence: its rows start where its row number first appears.
    evidence_at = np.append(np.searchsorted(local[evidence], rows), len(evidence))
    return _Exposed(
        person=pairs.person[person_at[rows]],
        source=best[rows],
        micros=micros[rows],
        first=first[rows],
        evidence_at=evidence_at,
        venue=pairs.venue[evidence],
        start=pairs.start[evidence],
        end=pairs.end[evidence],
    )


def _reaching(micros: Column, close_minutes: float) -> Mask:
    # Minutes as Python computes `micros / 60_000_000` (exact below 2**53), unrounded.
    reached: Mask = micros / MICROS_PER_MINUTE >= close_minutes
    return reached


def _concat(parts: list[_Exposed]) -> _Exposed:
    """Chunks of people (each chunk's people after the previous chunk's) as one."""
    if not parts:
        return _no_one()
    offsets = np.cumsum([0] + [len(p.venue) for p in parts[:-1]])
    evidence_at = [p.evidence_at[:-1] + off for p, off in zip(parts, offsets, strict=True)]
    evidence_at.append(np.array([offsets[-1] + len(parts[-1].venue)], dtype=np.int64))
    return _Exposed(
        person=np.concatenate([p.person for p in parts]),
        source=np.concatenate([p.source for p in parts]),
        micros=np.concatenate([p.micros for p in parts]),
        first=np.concatenate([p.first for p in parts]),
        evidence_at=np.concatenate(evidence_at),
        venue=np.concatenate([p.venue for p in parts]),
        start=np.concatenate([p.start for p in parts]),
        end=np.concatenate([p.end for p in parts]),
    )


def _no_one() -> _Exposed:
    empty = np.zeros(0, dtype=np.int64)
    return _Exposed(empty, empty, empty, empty, np.zeros(1, dtype=np.int64), empty, empty, empty)


# -- output (rules 5-7) -------------------------------------------------------------------


def _contacts(chain: list[_Tier], general: _Tier) -> list[Contact]:
    """Contacts by tier precedence (chain levels in order, then general), then id; a
    general contact that entered a deeper chain tier is reported there only."""
    out: list[Contact] = []
    for tier in chain:
        out.extend(_contacts_of(tier))
    # Level 1 splits into close and general, so only deeper tiers can take a general contact.
    promoted = {name for tier in chain[1:] for name in tier.level.names_of(tier.rows)}
    if promoted:
        still_general = np.array([p not in promoted for p in general.level.names_of(general.rows)], dtype=bool)
        general = _Tier(GENERAL, general.level, general.rows[still_general])
    out.extend(_contacts_of(general))
    return out


def _contacts_of(tier: _Tier) -> list[Contact]:
    """The tier's contacts, sorted by id (code point)."""
    level, exposed = tier.level, tier.level.exposed
    unsorted = level.names_of(tier.rows)
    by_name = np.array(sorted(range(len(unsorted)), key=unsorted.__getitem__), dtype=np.int64)
    rows = tier.rows[by_name]
    names = np.array(unsorted, dtype=object)[by_name].tolist()
    first, last = exposed.evidence_at[rows], exposed.evidence_at[rows + 1]
    ev = expand_ranges(first, last)
    venues = np.array(level.venues, dtype=object)[exposed.venue[ev]].tolist()
    evidence = list(map(Evidence, venues, exposed.start[ev].tolist(), exposed.end[ev].tolist()))
    at = np.concatenate(([0], np.cumsum(last - first))).tolist()
    per_contact = [evidence[a:b] for a, b in itertools.pairwise(at)]
    sources = np.array(level.sources, dtype=object)[exposed.source[rows]].tolist()
    exposure = (exposed.micros[rows] / MICROS_PER_MINUTE).tolist()  # as Python's int / int
    return list(map(Contact, names, itertools.repeat(tier.name), sources, exposure, per_contact))


def _exposed_venues(case_exposure: IntervalBatch) -> list[ExposedVenue]:
    """Rule 6 from the case exposure intervals (sorted by venue, start, end, case)."""
    persons, venues = case_exposure.persons, case_exposure.venues
    by_venue: dict[int, list[Interval]] = {}
    columns = (c.tolist() for c in (case_exposure.person, case_exposure.venue, case_exposure.start, case_exposure.end))
    for p, v, s, e in zip(*columns, strict=True):
        by_venue.setdefault(v, []).append(Interval(persons[p], venues[v], s, e))
    return [ExposedVenue(venues[v], ivs) for v, ivs in by_venue.items()]


def _rules(options: TraceOptions) -> dict[str, object]:
    return {
        "version": RULES_VERSION,
        "look_back_days": options.look_back_days,
        "close_minutes": options.close_minutes,
        "depth": options.depth,
        "contact_isolated": dict(sorted(options.contact_isolated.items())),
        "dwell_minutes": dict(sorted(options.dwell_minutes.items())),
    }


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
