"""Small builders so each test states only the facts its rule is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from venuecode.policy import (
    Decision,
    HealthCode,
    ItineraryStop,
    NucleicAcidTest,
    PersonFacts,
    RiskArea,
    TracingMark,
    Vaccination,
    VenueRequirements,
    evaluate,
)

NOW = datetime(2022, 4, 20, 8, 0, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def green() -> HealthCode:
    return HealthCode("green", days_ago(30))


def negative(hours: float) -> NucleicAcidTest:
    return NucleicAcidTest(hours_ago(hours), "negative", hours_ago(hours - 1), "市一医院")


def positive(hours: float) -> NucleicAcidTest:
    return NucleicAcidTest(hours_ago(hours), "positive", hours_ago(hours - 1), "市一医院")


def pending(hours: float) -> NucleicAcidTest:
    return NucleicAcidTest(hours_ago(hours), "pending")


def dose(number: int, days: float = 200) -> Vaccination:
    return Vaccination(number, days_ago(days), "科兴")


def stay(city: str, arrived_days: float, left_days: float | None) -> ItineraryStop:
    left = None if left_days is None else days_ago(left_days)
    return ItineraryStop(city, days_ago(arrived_days), left)


def area(name: str, level: str, since_days: float, until_days: float | None = None) -> RiskArea:
    until = None if until_days is None else days_ago(until_days)
    return RiskArea(name, level, days_ago(since_days), until)  # type: ignore[arg-type]


def mark(kind: str, instruction: str | None = None) -> TracingMark:
    return TracingMark(kind, days_ago(1), instruction)  # type: ignore[arg-type]


def healthy(**changes: object) -> PersonFacts:
    """A person who passes everywhere: green code, fresh negative test, three doses,
    stayed at home in 杭州市."""
    base: dict[str, object] = {
        "health_code": green(),
        "tests": (negative(10),),
        "vaccinations": (dose(1, 400), dose(2, 370), dose(3, 200)),
        "itinerary": (stay("杭州市", 60, None),),
        "marks": (),
    }
    base.update(changes)
    return PersonFacts(**base)  # type: ignore[arg-type]


def decide(
    facts: PersonFacts,
    requirements: VenueRequirements | None = None,
    risk_areas: tuple[RiskArea, ...] = (),
) -> Decision:
    return evaluate(facts, requirements or VenueRequirements(), risk_areas, NOW)


def codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]


def denying_codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons if r.denies]
