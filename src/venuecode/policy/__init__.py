"""Entry policy, PURE: a person's facts and a venue's requirements in, a Decision out.

No database, no web framework: values in, values out (see docs/policy.md).
"""

from venuecode.policy.engine import Decision, Verdict, collect_reasons, evaluate
from venuecode.policy.facts import (
    HealthCode,
    ItineraryStop,
    NucleicAcidTest,
    PersonFacts,
    RiskArea,
    TracingMark,
    Vaccination,
)
from venuecode.policy.panels import (
    CityVisit,
    HealthCodePanel,
    ItineraryPanel,
    NucleicAcidPanel,
    Panels,
    VaccinationPanel,
    panels_to_dict,
)
from venuecode.policy.reasons import CATALOGUE, Reason, ReasonSpec
from venuecode.policy.requirements import (
    CATEGORY_DEFAULTS,
    DEFAULT_TEST_WINDOW_HOURS,
    VenueRequirements,
    requirements_for,
)

__all__ = [
    "CATALOGUE",
    "CATEGORY_DEFAULTS",
    "DEFAULT_TEST_WINDOW_HOURS",
    "CityVisit",
    "Decision",
    "HealthCode",
    "HealthCodePanel",
    "ItineraryPanel",
    "ItineraryStop",
    "NucleicAcidPanel",
    "NucleicAcidTest",
    "Panels",
    "PersonFacts",
    "Reason",
    "ReasonSpec",
    "RiskArea",
    "TracingMark",
    "Vaccination",
    "VaccinationPanel",
    "VenueRequirements",
    "Verdict",
    "collect_reasons",
    "evaluate",
    "panels_to_dict",
    "requirements_for",
]
