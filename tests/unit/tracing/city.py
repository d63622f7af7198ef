"""A tiny city for hand-worked examples: times written as "HH:MM" on one day, in UTC."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from venuecode.timeutil import to_micros
from venuecode.tracing.core import Case, Presence, TraceOptions, TraceResult, trace
from venuecode.tracing.memory import InMemorySource

DAY = datetime(2022, 4, 19, tzinfo=UTC)
MIN = 60_000_000


def at(hhmm: str, day: int = 0) -> int:
    """Micros of HH:MM (seconds allowed: HH:MM:SS.ffffff) on the example day + `day` days."""
    hh, mm, *rest = hhmm.split(":")
    seconds = float(rest[0]) if rest else 0.0
    micros = round(((day * 24 + int(hh)) * 60 + int(mm)) * MIN + seconds * 1_000_000)
    return to_micros(DAY) + micros


def visit(person: str, venue: str, start: str, exit_: str | None = None) -> Presence:
    return Presence(person, venue, at(start), None if exit_ is None else at(exit_))


def sixty(_venue: str) -> float:
    return 60


def run(
    checkins: Sequence[Presence],
    cases: Sequence[Case],
    *,
    as_of: str = "23:59",
    dwell: Callable[[str], float] = sixty,
    **options: object,
) -> TraceResult:
    opts = TraceOptions(as_of=at(as_of), **options)  # type: ignore[arg-type]
    return trace(cases, InMemorySource(checkins, dwell), opts)


def case(person: str, reference: str = "12:00", isolated: str | None = None) -> Case:
    return Case(person, at(reference), None if isolated is None else at(isolated))


def tiers(result: TraceResult) -> dict[str, tuple[str, str, float]]:
    """person -> (tier, source, exposure minutes)."""
    return {c.person: (c.tier, c.source, c.exposure_minutes) for c in result.contacts}
