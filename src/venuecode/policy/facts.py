"""What the policy knows about a person: plain frozen values, no database rows.

Every time is a timezone-aware `datetime`; the facts layer hands them over in UTC.
A naive time is refused here because comparing it with an aware one would fail far
from its source, or worse, silently mean the wrong hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

CodeColor = Literal["green", "yellow", "red"]
TestResult = Literal["negative", "positive", "pending"]
RiskLevel = Literal["high", "medium", "low"]
MarkKind = Literal["case", "close", "secondary", "tertiary", "general"]


def require_aware(*times: datetime | None) -> None:
    """Refuse naive datetimes (None is allowed: it means "not known" or "still open")."""
    for value in times:
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"policy facts need timezone-aware datetimes, got {value!r}")


@dataclass(frozen=True)
class HealthCode:
    color: CodeColor
    since: datetime
    reason: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.since)


@dataclass(frozen=True)
class NucleicAcidTest:
    sampled_at: datetime
    result: TestResult
    reported_at: datetime | None = None
    institution: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.sampled_at, self.reported_at)


@dataclass(frozen=True)
class Vaccination:
    dose: int
    vaccinated_at: datetime
    product: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.vaccinated_at)


@dataclass(frozen=True)
class ItineraryStop:
    """A stay in a city; `left_at` None means the person is still there."""

    city: str
    arrived_at: datetime
    left_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.arrived_at, self.left_at)


@dataclass(frozen=True)
class RiskArea:
    """A city or district under a risk level; `until` None means still in force."""

    area: str
    level: RiskLevel
    since: datetime
    until: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.since, self.until)


@dataclass(frozen=True)
class TracingMark:
    """A mark put on a person by tracing; present marks are in force (tracing lifts them)."""

    kind: MarkKind
    since: datetime
    instruction: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.since)


@dataclass(frozen=True)
class PersonFacts:
    """Everything the door needs to know about one person, as of the scan."""

    health_code: HealthCode | None = None
    tests: Sequence[NucleicAcidTest] = field(default_factory=tuple)
    vaccinations: Sequence[Vaccination] = field(default_factory=tuple)
    itinerary: Sequence[ItineraryStop] = field(default_factory=tuple)
    marks: Sequence[TracingMark] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # Tuples, so a caller's list changing later cannot change a decided bundle.
        object.__setattr__(self, "tests", tuple(self.tests))
        object.__setattr__(self, "vaccinations", tuple(self.vaccinations))
        object.__setattr__(self, "itinerary", tuple(self.itinerary))
        object.__setattr__(self, "marks", tuple(self.marks))
