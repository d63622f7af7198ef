"""The four panels of 四码一屏 (health code, test, vaccination, itinerary), as values.

Panels show what the rules saw, computed with the same helpers, so the screen and the
verdict never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from venuecode.policy.facts import (
    CodeColor,
    PersonFacts,
    RiskArea,
    RiskLevel,
    TestResult,
)
from venuecode.policy.requirements import VenueRequirements
from venuecode.policy.rules import (
    DENYING_LEVELS,
    blocking_positive,
    city_risk_levels,
    distinct_doses,
    hours_between,
    is_fully_vaccinated,
    latest_test,
    test_window_reasons,
    valid_negative,
)


@dataclass(frozen=True)
class HealthCodePanel:
    color: CodeColor | None
    since: datetime | None
    reason: str | None


@dataclass(frozen=True)
class NucleicAcidPanel:
    """The test that decided the outcome: a blocking positive, else the negative that lets
    the person in, else the latest test. `valid_for_venue` says the test rule holds."""

    result: TestResult | None
    sampled_at: datetime | None
    hours_since: float | None
    valid_for_venue: bool
    window_hours: int | None


@dataclass(frozen=True)
class VaccinationPanel:
    doses: int
    last_dose_at: datetime | None
    full: bool
    required: bool
    doses_for_full: int


@dataclass(frozen=True)
class CityVisit:
    city: str
    risk_level: RiskLevel | None


@dataclass(frozen=True)
class ItineraryPanel:
    cities: tuple[CityVisit, ...]
    any_risk: bool
    days: int


@dataclass(frozen=True)
class Panels:
    health_code: HealthCodePanel
    nucleic_acid: NucleicAcidPanel
    vaccination: VaccinationPanel
    itinerary: ItineraryPanel


def health_code_panel(facts: PersonFacts) -> HealthCodePanel:
    code = facts.health_code
    if code is None:
        return HealthCodePanel(None, None, None)
    return HealthCodePanel(code.color, code.since, code.reason)


def nucleic_acid_panel(
    facts: PersonFacts, requirements: VenueRequirements, now: datetime
) -> NucleicAcidPanel:
    window = requirements.test_window_hours
    shown = (
        blocking_positive(facts.tests, now)
        or (valid_negative(facts.tests, window, now) if window is not None else None)
        or latest_test(facts.tests, now)
    )
    holds = blocking_positive(facts.tests, now) is None and not test_window_reasons(
        facts.tests, window, now
    )
    if shown is None:
        return NucleicAcidPanel(None, None, None, holds, window)
    hours = round(hours_between(shown.sampled_at, now), 1)
    return NucleicAcidPanel(shown.result, shown.sampled_at, hours, holds, window)


def vaccination_panel(
    facts: PersonFacts, requirements: VenueRequirements, now: datetime
) -> VaccinationPanel:
    given = [v for v in facts.vaccinations if v.dose >= 1 and v.vaccinated_at <= now]
    last = max((v.vaccinated_at for v in given), default=None)
    return VaccinationPanel(
        doses=distinct_doses(facts.vaccinations, now),
        last_dose_at=last,
        full=is_fully_vaccinated(facts.vaccinations, requirements.full_vaccination_doses, now),
        required=requirements.require_full_vaccination,
        doses_for_full=requirements.full_vaccination_doses,
    )


def itinerary_panel(
    facts: PersonFacts,
    requirements: VenueRequirements,
    risk_areas: Sequence[RiskArea],
    now: datetime,
) -> ItineraryPanel:
    """Cities stayed in during the itinerary period, first visit first, each flagged with
    the risk level the rules found for it (looked back over `risk_lookback_days`).

    The period is the longer of the two, so a city that denies entry is always listed.
    """
    days = max(requirements.itinerary_days, requirements.risk_lookback_days)
    start = now - timedelta(days=days)
    recent = sorted(
        (s for s in facts.itinerary if s.arrived_at <= now and (s.left_at or now) >= start),
        key=lambda s: (s.arrived_at, s.city),
    )
    levels = city_risk_levels(facts.itinerary, risk_areas, requirements.risk_lookback_days, now)
    cities: dict[str, CityVisit] = {}
    for stop in recent:
        city = stop.city.strip()
        cities.setdefault(city, CityVisit(city, levels.get(city)))
    any_risk = any(level in DENYING_LEVELS for level in levels.values())
    return ItineraryPanel(tuple(cities.values()), any_risk, days)


def build_panels(
    facts: PersonFacts,
    requirements: VenueRequirements,
    risk_areas: Sequence[RiskArea],
    now: datetime,
) -> Panels:
    return Panels(
        health_code=health_code_panel(facts),
        nucleic_acid=nucleic_acid_panel(facts, requirements, now),
        vaccination=vaccination_panel(facts, requirements, now),
        itinerary=itinerary_panel(facts, requirements, risk_areas, now),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def panels_to_dict(panels: Panels) -> dict[str, Any]:
    """JSON-ready panels for the API; times as ISO 8601 strings in UTC."""
    code, test, vacc, trip = (
        panels.health_code, panels.nucleic_acid, panels.vaccination, panels.itinerary
    )
    return {
        "health_code": {"color": code.color, "since": _iso(code.since), "reason": code.reason},
        "nucleic_acid": {
            "result": test.result,
            "sampled_at": _iso(test.sampled_at),
            "hours_since": test.hours_since,
            "valid_for_venue": test.valid_for_venue,
            "window_hours": test.window_hours,
        },
        "vaccination": {
            "doses": vacc.doses,
            "last_dose_at": _iso(vacc.last_dose_at),
            "full": vacc.full,
            "required": vacc.required,
            "doses_for_full": vacc.doses_for_full,
        },
        "itinerary": {
            "cities": [{"city": c.city, "risk_level": c.risk_level} for c in trip.cities],
            "any_risk": trip.any_risk,
            "days": trip.days,
        },
    }
