from __future__ import annotations

import pytest

from venuecode.categories import categories
from venuecode.errors import InvalidInput
from venuecode.policy import CATEGORY_DEFAULTS, VenueRequirements, requirements_for


def test_ordinary_category_needs_a_72_hour_test_and_no_vaccination() -> None:
    assert requirements_for("supermarket") == VenueRequirements(
        test_window_hours=72,
        require_full_vaccination=False,
        full_vaccination_doses=2,
        risk_lookback_days=7,
        itinerary_days=14,
    )


def test_care_home_needs_a_48_hour_test_and_full_vaccination() -> None:
    req = requirements_for("care_home")
    assert req.test_window_hours == 48
    assert req.require_full_vaccination is True


@pytest.mark.parametrize(
    ("slug", "hours"), [("school", 48), ("kindergarten", 48), ("cold_chain", 24)]
)
def test_stricter_categories_have_shorter_windows(slug: str, hours: int) -> None:
    assert requirements_for(slug).test_window_hours == hours
    assert requirements_for(slug).require_full_vaccination is False


def test_city_wide_default_changes_ordinary_categories() -> None:
    assert requirements_for("mall", default_test_window_hours=48).test_window_hours == 48


def test_city_wide_default_of_none_or_zero_means_no_test_needed() -> None:
    assert requirements_for("mall", default_test_window_hours=None).test_window_hours is None
    assert requirements_for("mall", default_test_window_hours=0).test_window_hours is None


def test_category_window_stays_when_the_city_relaxes_testing() -> None:
    assert requirements_for("care_home", default_test_window_hours=None).test_window_hours == 48
    assert requirements_for("care_home", default_test_window_hours=96).test_window_hours == 48


def test_city_wide_default_tightens_even_strict_categories() -> None:
    assert requirements_for("care_home", default_test_window_hours=24).test_window_hours == 24


def test_venue_override_wins_over_category_and_city() -> None:
    assert requirements_for("care_home", test_window_hours=24).test_window_hours == 24
    assert requirements_for("care_home", test_window_hours=None).test_window_hours is None
    req = requirements_for(
        "mall",
        test_window_hours=96,
        require_full_vaccination=True,
        full_vaccination_doses=3,
        risk_lookback_days=14,
        itinerary_days=21,
        default_test_window_hours=24,
    )
    assert req == VenueRequirements(96, True, 3, 14, 21)


def test_venue_override_can_drop_the_care_home_vaccination_need() -> None:
    req = requirements_for("care_home", require_full_vaccination=False)
    assert req.require_full_vaccination is False


def test_unknown_category_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        requirements_for("care-home")
    assert caught.value.code == "unknown_venue_category"


def test_every_category_with_own_defaults_exists_in_the_spec() -> None:
    assert set(CATEGORY_DEFAULTS) <= set(categories())


@pytest.mark.parametrize(
    "changes",
    [
        {"test_window_hours": 0},
        {"test_window_hours": -1},
        {"full_vaccination_doses": 0},
        {"risk_lookback_days": 0},
        {"itinerary_days": 0},
    ],
)
def test_impossible_requirements_are_refused(changes: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as caught:
        VenueRequirements(**changes)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_venue_requirement"
