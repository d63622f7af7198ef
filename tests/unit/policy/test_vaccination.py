from __future__ import annotations

from datetime import timedelta

from venuecode.policy import Vaccination, VenueRequirements

from .factories import NOW, decide, denying_codes, dose, healthy

CARE_HOME = VenueRequirements(test_window_hours=48, require_full_vaccination=True)


def test_venue_that_does_not_require_vaccination_lets_in_the_unvaccinated() -> None:
    assert decide(healthy(vaccinations=())).verdict == "pass"


def test_venue_requiring_full_vaccination_denies_one_dose() -> None:
    decision = decide(healthy(vaccinations=(dose(1),)), CARE_HOME)
    assert decision.verdict == "deny"
    (only,) = decision.reasons
    assert only.code == "vaccination_incomplete"
    assert only.details == {"need": 2, "have": 1}


def test_venue_requiring_full_vaccination_accepts_two_doses() -> None:
    assert decide(healthy(vaccinations=(dose(1), dose(2))), CARE_HOME).verdict == "pass"


def test_the_same_dose_recorded_twice_counts_once() -> None:
    twice = (dose(1, 200), dose(1, 150))
    assert denying_codes(decide(healthy(vaccinations=twice), CARE_HOME)) == [
        "vaccination_incomplete"
    ]


def test_a_dose_dated_in_the_future_does_not_count() -> None:
    future = Vaccination(2, NOW + timedelta(days=1))
    assert decide(healthy(vaccinations=(dose(1), future)), CARE_HOME).verdict == "deny"


def test_number_of_doses_for_full_vaccination_is_configurable() -> None:
    three = VenueRequirements(require_full_vaccination=True, full_vaccination_doses=3)
    assert decide(healthy(vaccinations=(dose(1), dose(2))), three).verdict == "deny"
    assert decide(healthy(vaccinations=(dose(1), dose(2), dose(3))), three).verdict == "pass"
