"""evaluate(): run every rule, collect every reason, decide, and fill the panels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from venuecode.policy.facts import PersonFacts, RiskArea, require_aware
from venuecode.policy.panels import Panels, build_panels, panels_to_dict
from venuecode.policy.reasons import Reason, by_importance
from venuecode.policy.requirements import VenueRequirements
from venuecode.policy.rules import (
    expiry_notes,
    future_test_notes,
    health_code_reasons,
    positive_test_reasons,
    risk_area_reasons,
    test_window_reasons,
    tracing_reasons,
    vaccination_reasons,
)

Verdict = Literal["pass", "deny"]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    panels: Panels

    @property
    def denying_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.denies)

    @property
    def notes(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.denies)

    def to_dict(self, locale: str) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": [r.to_dict(locale) for r in self.reasons],
            "panels": panels_to_dict(self.panels),
        }


def collect_reasons(
    facts: PersonFacts,
    requirements: VenueRequirements,
    risk_areas: Sequence[RiskArea],
    now: datetime,
) -> tuple[Reason, ...]:
    """Every rule's reasons, most important first; a rule never stops the others."""
    found = (
        *health_code_reasons(facts.health_code),
        *tracing_reasons(facts.marks),
        *positive_test_reasons(facts.tests, now),
        *test_window_reasons(facts.tests, requirements.test_window_hours, now),
        *risk_area_reasons(facts.itinerary, risk_areas, requirements.risk_lookback_days, now),
        *vaccination_reasons(
            facts.vaccinations,
            requirements.require_full_vaccination,
            requirements.full_vaccination_doses,
            now,
        ),
        *future_test_notes(facts.tests, now),
        *expiry_notes(facts.tests, requirements.test_window_hours, now),
    )
    return by_importance(found)


def evaluate(
    facts: PersonFacts,
    requirements: VenueRequirements,
    risk_areas: Sequence[RiskArea],
    now: datetime,
) -> Decision:
    """Decide entry: pass exactly when no reason denies."""
    require_aware(now)
    reasons = collect_reasons(facts, requirements, risk_areas, now)
    verdict: Verdict = "deny" if any(r.denies for r in reasons) else "pass"
    return Decision(verdict, reasons, build_panels(facts, requirements, risk_areas, now))
