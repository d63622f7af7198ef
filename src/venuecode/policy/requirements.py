"""What a venue asks of the people who enter, and the defaults for each category."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, TypeVar

from venuecode.categories import get_category
from venuecode.errors import InvalidInput

DEFAULT_TEST_WINDOW_HOURS: Final = 72


@dataclass(frozen=True)
class VenueRequirements:
    """`test_window_hours` None means the venue needs no nucleic-acid test."""

    test_window_hours: int | None = DEFAULT_TEST_WINDOW_HOURS
    require_full_vaccination: bool = False
    full_vaccination_doses: int = 2
    risk_lookback_days: int = 7
    itinerary_days: int = 14

    def __post_init__(self) -> None:
        if self.test_window_hours is not None and self.test_window_hours <= 0:
            raise _invalid("test_window_hours", self.test_window_hours)
        for name in ("full_vaccination_doses", "risk_lookback_days", "itinerary_days"):
            value = getattr(self, name)
            if value < 1:
                raise _invalid(name, value)


def _invalid(name: str, value: object) -> InvalidInput:
    return InvalidInput(
        "invalid_venue_requirement",
        f"场所入场要求 {name} 的值 {value!r} 不正确，须为正整数。",
        f"Venue requirement {name} = {value!r} is not valid; it must be a positive number.",
        field=name,
    )


@dataclass(frozen=True)
class CategoryDefaults:
    """A category's own window (None: follow the global default) and vaccination need."""

    test_window_hours: int | None = None
    require_full_vaccination: bool = False


# Stricter than the city-wide default only where the people inside are frail, young or
# handle imported goods; every other category follows the global default.
CATEGORY_DEFAULTS: Final = MappingProxyType(
    {
        "care_home": CategoryDefaults(test_window_hours=48, require_full_vaccination=True),
        "school": CategoryDefaults(test_window_hours=48),
        "kindergarten": CategoryDefaults(test_window_hours=48),
        "cold_chain": CategoryDefaults(test_window_hours=24),
    }
)


class _Unset(enum.Enum):
    """Marks an override that was not given (None is a real value: "no test needed")."""

    UNSET = enum.auto()


UNSET: Final = _Unset.UNSET

_T = TypeVar("_T")


def requirements_for(
    category_slug: str,
    *,
    test_window_hours: int | _Unset | None = UNSET,
    require_full_vaccination: bool | None = None,
    full_vaccination_doses: int | None = None,
    risk_lookback_days: int | None = None,
    itinerary_days: int | None = None,
    default_test_window_hours: int | None = DEFAULT_TEST_WINDOW_HOURS,
) -> VenueRequirements:
    """The requirements of a venue of `category_slug`, with the venue's own overrides.

    `default_test_window_hours` is the city-wide setting (0 or None: no test needed).
    A category's own window applies only where it is stricter than the city-wide one, so
    tightening the setting tightens every venue. Overrides are the venue's own choice and
    win over everything.
    """
    if get_category(category_slug) is None:
        raise InvalidInput(
            "unknown_venue_category",
            f"没有名为 {category_slug!r} 的场所类别。",
            f"There is no venue category {category_slug!r}.",
            category=category_slug,
        )
    defaults = CATEGORY_DEFAULTS.get(category_slug, CategoryDefaults())
    base = VenueRequirements(
        test_window_hours=_stricter_window(defaults.test_window_hours, default_test_window_hours),
        require_full_vaccination=defaults.require_full_vaccination,
    )
    return replace(
        base,
        test_window_hours=(
            base.test_window_hours if isinstance(test_window_hours, _Unset) else test_window_hours
        ),
        require_full_vaccination=_given(require_full_vaccination, base.require_full_vaccination),
        full_vaccination_doses=_given(full_vaccination_doses, base.full_vaccination_doses),
        risk_lookback_days=_given(risk_lookback_days, base.risk_lookback_days),
        itinerary_days=_given(itinerary_days, base.itinerary_days),
    )


def _stricter_window(category: int | None, city_wide: int | None) -> int | None:
    # The settings allow 0 for "no test needed"; the policy spells that None.
    city = city_wide or None
    if category is None:
        return city
    if city is None:
        return category
    return min(category, city)


def _given(value: _T | None, fallback: _T) -> _T:
    return fallback if value is None else value
