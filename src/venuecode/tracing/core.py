"""The pure tracing engine: public API and output shapes (JSON dict, flat export rows).

Import from here: `presence_intervals`, `trace`, the value types and `PresenceSource`
(see `venuecode.tracing.types` for the source protocol and `docs/tracing-rules.md`).
No database or web imports anywhere in this engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from venuecode.tracing.engine import RULES_VERSION, gc_paused, trace
from venuecode.tracing.intervals import presence_intervals
from venuecode.tracing.types import (
    CASE,
    CLOSE,
    GENERAL,
    MICROS_PER_MINUTE,
    SECONDARY,
    TERTIARY,
    Case,
    CaseWindow,
    Contact,
    Evidence,
    ExposedVenue,
    Interval,
    IntervalBatch,
    Presence,
    PresenceSource,
    TraceOptions,
    TraceResult,
    minutes,
    tier_name,
    tier_rank,
)

__all__ = [
    "CASE",
    "CLOSE",
    "CONTACT_COLUMNS",
    "GENERAL",
    "RULES_VERSION",
    "SECONDARY",
    "TERTIARY",
    "Case",
    "CaseWindow",
    "Contact",
    "Evidence",
    "ExposedVenue",
    "Interval",
    "IntervalBatch",
    "Presence",
    "PresenceSource",
    "TraceOptions",
    "TraceResult",
    "contact_rows",
    "presence_intervals",
    "result_to_json_dict",
    "tier_name",
    "tier_rank",
    "trace",
]

TimeFormat = Callable[[int], str]

CONTACT_COLUMNS = (
    "id_number",
    "tier",
    "source",
    "exposure_minutes",
    "venue",
    "overlap_start",
    "overlap_end",
    "minutes",
)


def result_to_json_dict(result: TraceResult, format_time: TimeFormat) -> dict[str, object]:
    """The trace as JSON-ready data (rule 7); `format_time` turns micros into text."""
    with gc_paused():
        return _json_dict(result, format_time)


def _json_dict(result: TraceResult, format_time: TimeFormat) -> dict[str, object]:
    get, fmt = _memo(format_time)
    rules = dict(result.rules)
    isolated = rules.get("contact_isolated")
    if isinstance(isolated, dict):
        rules["contact_isolated"] = {p: format_time(t) for p, t in isolated.items()}
    return {
        "as_of": format_time(result.as_of),
        "rules": rules,
        "cases": [_case_json(c, format_time) for c in result.cases],
        "contacts": [
            {
                "id_number": c.person,
                "tier": c.tier,
                "source": c.source,
                "exposure_minutes": c.exposure_minutes,
                "evidence": [
                    {
                        "venue": e.venue,
                        "start": get(e.start) or fmt(e.start),
                        "end": get(e.end) or fmt(e.end),
                        "minutes": (e.end - e.start) / MICROS_PER_MINUTE,  # Evidence.minutes, inline
                    }
                    for e in c.evidence
                ],
            }
            for c in result.contacts
        ],
        "venues": [
            {
                "venue": v.venue,
                "intervals": [
                    {
                        "case": iv.person,
                        "start": get(iv.start) or fmt(iv.start),
                        "end": get(iv.end) or fmt(iv.end),
                        "minutes": minutes(iv.end - iv.start),
                    }
                    for iv in v.intervals
                ],
            }
            for v in result.venues
        ],
    }


def _memo(format_time: TimeFormat) -> tuple[Callable[[int], str | None], TimeFormat]:
    """`(get, fmt)` such that `get(t) or fmt(t)` formats each instant once: a large result
    repeats many (every overlap with one case interval ends when that interval ends)."""
    memo: dict[int, str] = {}

    def fmt(micros: int) -> str:
        text = memo[micros] = format_time(micros)
        return text

    return memo.get, fmt


def _case_json(c: CaseWindow, format_time: TimeFormat) -> dict[str, object]:
    return {
        "id_number": c.person,
        "reference": format_time(c.reference),
        "isolated": None if c.isolated is None else format_time(c.isolated),
        "window_start": format_time(c.window_start),
        "window_end": format_time(c.window_end),
    }


def contact_rows(result: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    """One flat row per evidence item (columns `CONTACT_COLUMNS`), for CSV and XLSX.

    Built from the JSON shape (`result_to_json_dict`, or a stored trace), so an export
    carries exactly what was shown. Every contact has at least one evidence item, so no
    contact is lost.
    """
    for c in result.get("contacts", []):
        for e in c["evidence"]:
            yield (c["id_number"], c["tier"], c["source"], c["exposure_minutes"],
                   e["venue"], e["start"], e["end"], e["minutes"])
