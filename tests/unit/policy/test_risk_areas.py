from __future__ import annotations

from venuecode.policy import Decision, ItineraryStop, RiskArea, VenueRequirements

from .factories import area, codes, decide, denying_codes, healthy, stay


def trip(
    *stops: ItineraryStop,
    areas: tuple[RiskArea, ...] = (),
    req: VenueRequirements | None = None,
) -> Decision:
    return decide(healthy(itinerary=stops), req, areas)


def test_stay_in_a_high_risk_area_within_7_days_is_denied() -> None:
    decision = trip(stay("上海市", 5, 3), areas=(area("上海市", "high", 10),))
    assert decision.verdict == "deny"
    (only,) = decision.reasons
    assert only.code == "risk_area_high"
    assert "上海市" in only.message("zh")
    assert only.details["cities"] == "上海市"


def test_stay_in_a_medium_risk_area_within_7_days_is_denied() -> None:
    decision = trip(stay("上海市", 5, 3), areas=(area("上海市", "medium", 10),))
    assert denying_codes(decision) == ["risk_area_medium"]


def test_stay_in_a_low_risk_area_is_allowed() -> None:
    decision = trip(stay("上海市", 5, 3), areas=(area("上海市", "low", 10),))
    assert decision.verdict == "pass"


def test_stay_ended_more_than_7_days_ago_is_allowed() -> None:
    assert trip(stay("上海市", 10, 8), areas=(area("上海市", "high", 20),)).verdict == "pass"


def test_stay_ending_exactly_7_days_ago_still_counts() -> None:
    assert trip(stay("上海市", 10, 7), areas=(area("上海市", "high", 20),)).verdict == "deny"


def test_stay_before_the_area_became_risky_is_allowed() -> None:
    assert trip(stay("上海市", 6, 4), areas=(area("上海市", "high", 3),)).verdict == "pass"


def test_stay_after_the_area_was_lifted_is_allowed() -> None:
    decision = trip(stay("上海市", 3, 1), areas=(area("上海市", "high", 20, until_days=5),))
    assert decision.verdict == "pass"


def test_stay_overlapping_the_end_of_a_lifted_area_is_denied() -> None:
    decision = trip(stay("上海市", 6, 1), areas=(area("上海市", "high", 20, until_days=5),))
    assert decision.verdict == "deny"


def test_person_still_in_the_city_matches_an_area_that_became_risky_today() -> None:
    decision = trip(stay("上海市", 30, None), areas=(area("上海市", "high", 0.1),))
    assert denying_codes(decision) == ["risk_area_high"]


def test_open_ended_area_matches_a_stay_long_after_it_began() -> None:
    decision = trip(stay("上海市", 2, 1), areas=(area("上海市", "medium", 100),))
    assert denying_codes(decision) == ["risk_area_medium"]


def test_area_that_became_risky_after_the_person_left_is_allowed() -> None:
    assert trip(stay("上海市", 5, 4), areas=(area("上海市", "high", 2),)).verdict == "pass"


def test_district_area_does_not_match_a_city_level_stop() -> None:
    decision = trip(stay("上海市", 5, 3), areas=(area("上海市浦东新区", "high", 10),))
    assert decision.verdict == "pass"


def test_area_names_match_exactly_not_by_prefix() -> None:
    decision = trip(stay("上海市浦东新区", 5, 3), areas=(area("上海市", "high", 10),))
    assert decision.verdict == "pass"


def test_area_names_ignore_surrounding_spaces() -> None:
    decision = trip(stay(" 上海市", 5, 3), areas=(area("上海市 ", "high", 10),))
    assert decision.verdict == "deny"


def test_high_and_medium_areas_are_both_reported_high_first() -> None:
    decision = trip(
        stay("苏州市", 6, 5),
        stay("上海市", 5, 3),
        stay("北京市", 3, 2),
        areas=(
            area("苏州市", "medium", 10),
            area("上海市", "high", 10),
            area("北京市", "medium", 9),
        ),
    )
    assert denying_codes(decision) == ["risk_area_high", "risk_area_medium"]
    assert decision.reasons[1].details["cities"] == "北京市、苏州市"


def test_city_both_medium_and_high_is_reported_once_as_high() -> None:
    decision = trip(
        stay("上海市", 5, 3), areas=(area("上海市", "medium", 20), area("上海市", "high", 4))
    )
    assert codes(decision) == ["risk_area_high"]


def test_lookback_period_is_configurable() -> None:
    decision = trip(
        stay("上海市", 12, 10),
        areas=(area("上海市", "high", 20),),
        req=VenueRequirements(risk_lookback_days=14),
    )
    assert decision.verdict == "deny"
