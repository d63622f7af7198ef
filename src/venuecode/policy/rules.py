"""The entry rules, one function each: facts and requirements in, reasons out.

Each rule returns every reason it finds (an empty tuple when it is satisfied), so the
person learns everything to fix at once. Time bounds are inclusive at both ends: a test
sampled exactly `window` hours ago still counts, and a stay that touches the edge of the
look-back period counts; at the door, the reading in the person's favour for tests and
the careful one for risk areas are the same reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Final

from venuecode.policy.facts import (
    HealthCode,
    ItineraryStop,
    MarkKind,
    NucleicAcidTest,
    RiskArea,
    RiskLevel,
    TracingMark,
    Vaccination,
)
from venuecode.policy.reasons import Reason, reason

# Below this many hours left on a valid test, a passing result carries a reminder.
EXPIRY_NOTICE_HOURS: Final = 12

LEVEL_ORDER: Final[dict[RiskLevel, int]] = {"low": 1, "medium": 2, "high": 3}
DENYING_LEVELS: Final[frozenset[RiskLevel]] = frozenset({"high", "medium"})
_MARK_CODES: Final[dict[MarkKind, str]] = {
    "case": "tracing_case",
    "close": "tracing_close",
    "secondary": "tracing_secondary",
    "tertiary": "tracing_tertiary",
    "general": "tracing_general",
}
# With two results sampled at the same instant, the positive one is taken as the later,
# so a tie never hides a positive (and input order never matters).
_RESULT_TIEBREAK: Final = {"pending": 0, "negative": 1, "positive": 2}


# --- health code ----------------------------------------------------------------------


def health_code_reasons(code: HealthCode | None) -> tuple[Reason, ...]:
    """No code denies; red denies; yellow denies and sends the person to report."""
    if code is None:
        return (reason("no_health_code"),)
    if code.color == "red":
        return (reason("health_code_red", note=code.reason),)
    if code.color == "yellow":
        return (reason("health_code_yellow", note=code.reason),)
    return ()


# --- tracing marks --------------------------------------------------------------------


def tracing_reasons(marks: Sequence[TracingMark]) -> tuple[Reason, ...]:
    """Any tracing mark denies, once per kind, with the latest instruction of that kind."""
    latest: dict[MarkKind, TracingMark] = {}
    for mark in sorted(marks, key=lambda m: (m.since, m.instruction or "")):
        latest[mark.kind] = mark
    return tuple(
        reason(_MARK_CODES[kind], note=mark.instruction) for kind, mark in latest.items()
    )


# --- nucleic-acid tests ---------------------------------------------------------------


def hours_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def counted_tests(tests: Iterable[NucleicAcidTest], now: datetime) -> list[NucleicAcidTest]:
    """Tests sampled no later than now, oldest first; a future sampling time is a clock
    error and cannot prove anything about the person today."""
    kept = [t for t in tests if t.sampled_at <= now]
    return sorted(kept, key=lambda t: (t.sampled_at, _RESULT_TIEBREAK[t.result]))


def latest_test(tests: Sequence[NucleicAcidTest], now: datetime) -> NucleicAcidTest | None:
    counted = counted_tests(tests, now)
    return counted[-1] if counted else None


def blocking_positive(tests: Sequence[NucleicAcidTest], now: datetime) -> NucleicAcidTest | None:
    """The positive test, if the latest test with a result is positive."""
    concluded = [t for t in counted_tests(tests, now) if t.result != "pending"]
    if concluded and concluded[-1].result == "positive":
        return concluded[-1]
    return None


def within_window(test: NucleicAcidTest, window_hours: int, now: datetime) -> bool:
    return now - timedelta(hours=window_hours) <= test.sampled_at <= now


def valid_negative(
    tests: Sequence[NucleicAcidTest], window_hours: int, now: datetime
) -> NucleicAcidTest | None:
    """The latest negative test inside the window, unless a later positive overrides it."""
    if blocking_positive(tests, now) is not None:
        return None
    negatives = [
        t for t in counted_tests(tests, now)
        if t.result == "negative" and within_window(t, window_hours, now)
    ]
    return negatives[-1] if negatives else None


def positive_test_reasons(tests: Sequence[NucleicAcidTest], now: datetime) -> tuple[Reason, ...]:
    """A positive result denies at every venue, whatever its test window."""
    return (reason("test_positive"),) if blocking_positive(tests, now) is not None else ()


def test_window_reasons(
    tests: Sequence[NucleicAcidTest], window_hours: int | None, now: datetime
) -> tuple[Reason, ...]:
    """The venue's window needs a negative test in it; say why there is none."""
    if window_hours is None or blocking_positive(tests, now) is not None:
        # No test needed, or the positive reason already says all there is to say.
        return ()
    if valid_negative(tests, window_hours, now) is not None:
        return ()
    counted = counted_tests(tests, now)
    if any(t.result == "pending" and within_window(t, window_hours, now) for t in counted):
        return (reason("test_pending", window=window_hours),)
    negatives = [t for t in counted if t.result == "negative"]
    if negatives:
        # Rounded up, so a test just past the edge never reads as "72 hours ago".
        hours = math.ceil(hours_between(negatives[-1].sampled_at, now))
        return (reason("test_expired", window=window_hours, hours=hours),)
    return (reason("test_missing", window=window_hours),)


def future_test_notes(tests: Sequence[NucleicAcidTest], now: datetime) -> tuple[Reason, ...]:
    """Tell the staff when a record was ignored for being sampled in the future."""
    return (reason("test_sampled_in_future"),) if any(t.sampled_at > now for t in tests) else ()


def expiry_notes(
    tests: Sequence[NucleicAcidTest], window_hours: int | None, now: datetime
) -> tuple[Reason, ...]:
    """Remind the person when the test that lets them in runs out within a few hours."""
    if window_hours is None:
        return ()
    test = valid_negative(tests, window_hours, now)
    if test is None:
        return ()
    left = window_hours - hours_between(test.sampled_at, now)
    if left > EXPIRY_NOTICE_HOURS:
        return ()
    # Whole hours read easily; "about 0 hours" would wrongly sound like "expired".
    about = max(1, math.floor(left))
    return (reason("test_expires_soon", left=about, left_hours=round(left, 1)),)


# --- itinerary and risk areas ---------------------------------------------------------


def stay_overlaps_area(
    stop: ItineraryStop, area: RiskArea, lookback_start: datetime, now: datetime
) -> bool:
    """The stay, the area's active period and the look-back period share an instant.

    Names match exactly (after trimming spaces): a district-level area does not flag a
    city-level stop, because the itinerary only knows cities.
    """
    if stop.city.strip() != area.area.strip():
        return False
    start = max(stop.arrived_at, area.since, lookback_start)
    # An open stay (still there) or an open area (still in force) runs until now.
    end = min(stop.left_at or now, area.until or now, now)
    return start <= end


def city_risk_levels(
    itinerary: Sequence[ItineraryStop],
    areas: Sequence[RiskArea],
    lookback_days: int,
    now: datetime,
) -> dict[str, RiskLevel]:
    """Highest risk level met per visited city within the look-back period."""
    lookback_start = now - timedelta(days=lookback_days)
    levels: dict[str, RiskLevel] = {}
    for stop in itinerary:
        for area in areas:
            if not stay_overlaps_area(stop, area, lookback_start, now):
                continue
            city = stop.city.strip()
            known = levels.get(city)
            if known is None or LEVEL_ORDER[area.level] > LEVEL_ORDER[known]:
                levels[city] = area.level
    return levels


def risk_area_reasons(
    itinerary: Sequence[ItineraryStop],
    areas: Sequence[RiskArea],
    lookback_days: int,
    now: datetime,
) -> tuple[Reason, ...]:
    """A stay in a high- or medium-risk area within the look-back period denies."""
    levels = city_risk_levels(itinerary, areas, lookback_days, now)
    found: list[Reason] = []
    for level in ("high", "medium"):
        cities = sorted(city for city, lvl in levels.items() if lvl == level)
        if cities:
            found.append(
                reason(f"risk_area_{level}", days=lookback_days, cities="、".join(cities))
            )
    return tuple(found)


# --- vaccination ----------------------------------------------------------------------


def distinct_doses(vaccinations: Sequence[Vaccination], now: datetime) -> int:
    """Doses counted by their number, so a record imported twice is one dose."""
    return len({v.dose for v in vaccinations if v.dose >= 1 and v.vaccinated_at <= now})


def is_fully_vaccinated(vaccinations: Sequence[Vaccination], doses: int, now: datetime) -> bool:
    return distinct_doses(vaccinations, now) >= doses


def vaccination_reasons(
    vaccinations: Sequence[Vaccination], required: bool, doses: int, now: datetime
) -> tuple[Reason, ...]:
    """Only venues that require full vaccination check it."""
    if not required or is_fully_vaccinated(vaccinations, doses, now):
        return ()
    return (reason("vaccination_incomplete", need=doses, have=distinct_doses(vaccinations, now)),)
