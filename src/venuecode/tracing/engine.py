"""The trace: rules 3-7 of `tracing-rules.md` over a `PresenceSource`.

One trace makes 2 + 2 * (depth - 1) source calls at most: `intervals_of` for all cases,
`intervals_at` for all case exposure windows, then per further level `intervals_of` for
all contacts of the level above and `intervals_at` for all their exposure windows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from venuecode.tracing.intervals import clip, merged_windows, overlapping_pairs
from venuecode.tracing.types import (
    CLOSE,
    GENERAL,
    Case,
    CaseWindow,
    Contact,
    Evidence,
    ExposedVenue,
    Interval,
    PresenceSource,
    TraceOptions,
    TraceResult,
    minutes,
    tier_name,
    tier_rank,
)

RULES_VERSION = 1

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class _Link:
    """Exposure of one person to one source: total micros, first overlap start, and the
    overlaps as plain tuples (Evidence objects are made only for the chosen source)."""

    first: int
    micros: int = 0
    overlaps: list[tuple[str, int, int]] = field(default_factory=list)


# person -> source -> link, for every pair with a positive overlap
_Links = dict[str, dict[str, _Link]]


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
    reported: dict[str, tuple[str, str, _Link]] = {}  # person -> (tier, source, link)
    general: dict[str, tuple[str, str, _Link]] = {}
    links = _links(case_exposure, source, excluded)
    current: dict[str, int] = {}  # contacts of the level just done -> first contact
    for person, by_source in links.items():
        src, link = _strongest(by_source)
        if minutes(link.micros) >= options.close_minutes:
            reported[person] = (CLOSE, src, link)
            current[person] = _first_contact(by_source)
        else:
            general[person] = (GENERAL, src, link)
    _report(progress, CLOSE, 2, total_steps)

    for level in range(2, options.depth + 1):
        # Rule 5.3: candidates are neither cases nor in a chain tier already; general
        # contacts stay candidates because every chain tier outranks general.
        excluded |= current.keys()
        windows = {k: (first, options.contact_isolated.get(k, as_of)) for k, first in current.items()}
        links = _links(_exposure_intervals(source, windows), source, excluded)
        current = {}
        for person, by_source in links.items():
            src, link = _strongest(by_source)
            if minutes(link.micros) >= options.close_minutes:
                reported[person] = (tier_name(level), src, link)
                current[person] = _first_contact(by_source)
        _report(progress, tier_name(level), level + 1, total_steps)

    for person, entry in general.items():
        reported.setdefault(person, entry)
    contacts = [
        Contact(
            person,
            tier,
            src,
            minutes(link.micros),
            [Evidence(v, s, e) for v, s, e in sorted(link.overlaps, key=_by_time)],
        )
        for person, (tier, src, link) in reported.items()
    ]
    contacts.sort(key=lambda c: (tier_rank(c.tier), c.person))
    return TraceResult(
        as_of=as_of,
        rules=_rules(options),
        cases=case_windows,
        contacts=contacts,
        venues=_exposed_venues(case_exposure),
    )


def _by_time(overlap: tuple[str, int, int]) -> tuple[int, int, str]:
    return overlap[1], overlap[2], overlap[0]


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


def _exposure_intervals(source: PresenceSource, windows: Mapping[str, tuple[int, int]]) -> list[Interval]:
    """Presence intervals of each person clipped to that person's window, sorted."""
    live = {p: w for p, w in windows.items() if w[1] > w[0]}
    if not live:
        return []
    # One call for everyone over the union of the windows; clipping per person after.
    lo = min(w[0] for w in live.values())
    hi = max(w[1] for w in live.values())
    out: set[Interval] = set()
    for iv in source.intervals_of(sorted(live), lo, hi):
        window = live.get(iv.person)
        if window is not None:
            clipped = clip(iv, *window)
            if clipped is not None:
                out.add(clipped)
    # A key, not Interval's generated ordering: much faster on large outbreaks.
    return sorted(out, key=lambda i: (i.venue, i.start, i.end, i.person))


def _links(sources: list[Interval], source: PresenceSource, excluded: set[str]) -> _Links:
    """Every positive overlap of a non-excluded person with the `sources` exposure intervals."""
    if not sources:
        return {}
    others = {
        iv for iv in source.intervals_at(merged_windows(sources)) if iv.person not in excluded and iv.end > iv.start
    }
    links: _Links = {}
    # The hot loop of a trace (one turn per overlapping pair): kept inline on purpose.
    for a, b, start, end in overlapping_pairs(sources, others):
        by_source = links.get(b.person)
        if by_source is None:
            by_source = links[b.person] = {}
        link = by_source.get(a.person)
        if link is None:
            link = by_source[a.person] = _Link(start)
        elif start < link.first:
            link.first = start
        link.micros += end - start
        link.overlaps.append((a.venue, start, end))
    return links


def _strongest(by_source: dict[str, _Link]) -> tuple[str, _Link]:
    # Largest exposure (exact, in micros); ties to the smaller id by code point.
    return min(by_source.items(), key=lambda kv: (-kv[1].micros, kv[0]))


def _first_contact(by_source: dict[str, _Link]) -> int:
    # Over pairs with ANY source of the level above, not only the strongest.
    return min(link.first for link in by_source.values())


def _exposed_venues(case_exposure: list[Interval]) -> list[ExposedVenue]:
    by_venue: dict[str, list[Interval]] = {}
    for iv in case_exposure:
        by_venue.setdefault(iv.venue, []).append(iv)
    return [
        ExposedVenue(v, sorted(ivs, key=lambda i: (i.start, i.end, i.person))) for v, ivs in sorted(by_venue.items())
    ]


def _rules(options: TraceOptions) -> dict[str, object]:
    return {
        "version": RULES_VERSION,
        "look_back_days": options.look_back_days,
        "close_minutes": options.close_minutes,
        "depth": options.depth,
        "contact_isolated": dict(sorted(options.contact_isolated.items())),
    }


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
