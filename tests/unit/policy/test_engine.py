from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from venuecode.policy import (
    HealthCode,
    ItineraryStop,
    NucleicAcidTest,
    PersonFacts,
    VenueRequirements,
    evaluate,
    panels_to_dict,
)

from .factories import (
    NOW,
    area,
    codes,
    days_ago,
    decide,
    denying_codes,
    dose,
    healthy,
    hours_ago,
    mark,
    negative,
    pending,
    positive,
    stay,
)

CARE_HOME = VenueRequirements(test_window_hours=48, require_full_vaccination=True)


def test_every_failing_rule_is_reported_not_just_the_first() -> None:
    facts = healthy(
        health_code=HealthCode("yellow", days_ago(1)),
        tests=(negative(100),),
        vaccinations=(dose(1),),
        itinerary=(stay("上海市", 5, 2),),
        marks=(mark("general"),),
    )
    decision = decide(facts, CARE_HOME, (area("上海市", "medium", 10),))
    assert decision.verdict == "deny"
    assert codes(decision) == [
        "health_code_yellow",
        "risk_area_medium",
        "tracing_general",
        "test_expired",
        "vaccination_incomplete",
    ]


def test_most_dangerous_reasons_come_first() -> None:
    facts = healthy(
        health_code=HealthCode("red", days_ago(1)),
        tests=(positive(3),),
        marks=(mark("case"), mark("close")),
    )
    assert codes(decide(facts)) == [
        "tracing_case",
        "test_positive",
        "health_code_red",
        "tracing_close",
    ]


def test_notes_come_after_denying_reasons_and_do_not_deny() -> None:
    facts = healthy(
        health_code=HealthCode("red", days_ago(1)),
        tests=(negative(70), NucleicAcidTest(NOW + timedelta(hours=2), "negative")),
    )
    decision = decide(facts)
    assert codes(decision) == ["health_code_red", "test_expires_soon", "test_sampled_in_future"]
    assert [r.code for r in decision.denying_reasons] == ["health_code_red"]
    assert [r.code for r in decision.notes] == ["test_expires_soon", "test_sampled_in_future"]


def test_a_person_with_no_records_at_all_learns_about_code_and_test() -> None:
    assert denying_codes(decide(PersonFacts())) == ["no_health_code", "test_missing"]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(healthy(), VenueRequirements(), (), datetime(2022, 4, 20, 8, 0))


def test_naive_fact_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        NucleicAcidTest(datetime(2022, 4, 20, 8, 0), "negative")


# --- panels --------------------------------------------------------------------------


def test_health_code_panel_shows_colour_since_and_reason() -> None:
    code = HealthCode("yellow", days_ago(2), "弹窗")
    panel = decide(healthy(health_code=code)).panels.health_code
    assert (panel.color, panel.since, panel.reason) == ("yellow", days_ago(2), "弹窗")


def test_health_code_panel_is_empty_without_a_code() -> None:
    panel = decide(healthy(health_code=None)).panels.health_code
    assert (panel.color, panel.since, panel.reason) == (None, None, None)


def test_test_panel_shows_the_test_that_lets_the_person_in() -> None:
    panel = decide(healthy(tests=(negative(30.25), pending(2)))).panels.nucleic_acid
    assert panel.result == "negative"
    assert panel.sampled_at == hours_ago(30.25)
    assert panel.hours_since == 30.2
    assert panel.valid_for_venue is True
    assert panel.window_hours == 72


def test_test_panel_shows_the_latest_test_when_none_is_valid() -> None:
    panel = decide(healthy(tests=(negative(100), pending(2)))).panels.nucleic_acid
    assert (panel.result, panel.sampled_at, panel.valid_for_venue) == (
        "pending",
        hours_ago(2),
        False,
    )


def test_test_panel_shows_a_blocking_positive() -> None:
    panel = decide(healthy(tests=(positive(20), negative(30)))).panels.nucleic_acid
    assert (panel.result, panel.valid_for_venue) == ("positive", False)


def test_test_panel_without_tests_is_empty_and_not_valid() -> None:
    panel = decide(healthy(tests=())).panels.nucleic_acid
    assert (panel.result, panel.sampled_at, panel.hours_since) == (None, None, None)
    assert panel.valid_for_venue is False


def test_test_panel_is_valid_where_no_test_is_needed() -> None:
    panel = decide(healthy(tests=()), VenueRequirements(test_window_hours=None)).panels
    assert panel.nucleic_acid.valid_for_venue is True
    assert panel.nucleic_acid.window_hours is None


def test_vaccination_panel_counts_distinct_doses_and_shows_the_last_date() -> None:
    facts = healthy(vaccinations=(dose(1, 300), dose(2, 250), dose(2, 240)))
    panel = decide(facts, CARE_HOME).panels.vaccination
    assert (panel.doses, panel.last_dose_at, panel.full, panel.required) == (
        2,
        days_ago(240),
        True,
        True,
    )


def test_vaccination_panel_without_doses() -> None:
    panel = decide(healthy(vaccinations=())).panels.vaccination
    assert (panel.doses, panel.last_dose_at, panel.full, panel.required) == (0, None, False, False)


def test_itinerary_panel_lists_cities_of_the_last_14_days_with_their_risk() -> None:
    facts = healthy(
        itinerary=(
            stay("北京市", 30, 20),  # left before the 14 days: not listed
            stay("上海市", 13, 6),
            stay("苏州市", 6, 3),
            stay("杭州市", 3, None),
            stay("上海市", 2, 1),
        )
    )
    areas = (area("上海市", "low", 30), area("苏州市", "medium", 10), area("北京市", "high", 40))
    panel = decide(facts, risk_areas=areas).panels.itinerary
    assert [(c.city, c.risk_level) for c in panel.cities] == [
        ("上海市", "low"),
        ("苏州市", "medium"),
        ("杭州市", None),
    ]
    assert panel.any_risk is True
    assert panel.days == 14


def test_itinerary_panel_without_risk() -> None:
    areas = (area("上海市", "low", 30),)
    panel = decide(healthy(itinerary=(stay("上海市", 3, 1),)), risk_areas=areas).panels
    assert panel.itinerary.any_risk is False


def test_itinerary_panel_ignores_stops_that_start_in_the_future() -> None:
    facts = healthy(itinerary=(ItineraryStop("上海市", NOW + timedelta(hours=1), None),))
    assert decide(facts).panels.itinerary.cities == ()


def test_panels_to_dict_is_json_ready_with_iso_times_and_fixed_keys() -> None:
    facts = healthy(tests=(negative(10),), itinerary=(stay("上海市", 3, None),))
    data = panels_to_dict(decide(facts, risk_areas=(area("上海市", "high", 5),)).panels)
    assert list(data) == ["health_code", "nucleic_acid", "vaccination", "itinerary"]
    assert data["health_code"]["since"] == days_ago(30).isoformat()
    assert data["nucleic_acid"]["sampled_at"] == "2022-04-19T22:00:00+00:00"
    assert data["nucleic_acid"]["hours_since"] == 10.0
    assert data["vaccination"]["last_dose_at"] == days_ago(200).isoformat()
    assert data["itinerary"] == {
        "cities": [{"city": "上海市", "risk_level": "high"}],
        "any_risk": True,
        "days": 14,
    }
    json.dumps(data)


def test_decision_to_dict_speaks_the_asked_language() -> None:
    decision = decide(healthy(health_code=HealthCode("red", days_ago(1))))
    zh = decision.to_dict("zh-CN")
    en = decision.to_dict("en")
    assert zh["verdict"] == "deny"
    assert zh["reasons"][0]["code"] == "health_code_red"
    assert zh["reasons"][0]["severity"] == "deny"
    assert zh["reasons"][0]["panel"] == "health_code"
    assert "红码" in zh["reasons"][0]["message"]
    assert "red" in en["reasons"][0]["message"]
    json.dumps(zh, ensure_ascii=False)
