from __future__ import annotations

from datetime import timedelta

from venuecode.policy import NucleicAcidTest, VenueRequirements

from .factories import (
    NOW,
    codes,
    decide,
    denying_codes,
    healthy,
    hours_ago,
    negative,
    pending,
    positive,
)


def test_negative_test_sampled_within_the_window_passes() -> None:
    assert decide(healthy(tests=(negative(71),))).verdict == "pass"


def test_negative_test_sampled_exactly_at_the_window_edge_still_counts() -> None:
    assert decide(healthy(tests=(negative(72),))).verdict == "pass"


def test_negative_test_sampled_just_after_the_window_edge_is_expired() -> None:
    test = NucleicAcidTest(NOW - timedelta(hours=72, microseconds=1), "negative")
    decision = decide(healthy(tests=(test,)))
    assert decision.verdict == "deny"
    assert denying_codes(decision) == ["test_expired"]
    assert decision.reasons[0].details["hours"] == 73


def test_expired_test_says_how_old_it_is_and_what_the_venue_needs() -> None:
    (only,) = decide(healthy(tests=(negative(80),))).reasons
    assert only.code == "test_expired"
    assert only.details == {"window": 72, "hours": 80}
    assert "80小时前" in only.message("zh")
    assert "72小时内" in only.message("zh")


def test_no_test_at_all_is_denied_as_missing() -> None:
    assert denying_codes(decide(healthy(tests=()))) == ["test_missing"]


def test_pending_result_does_not_count_as_negative() -> None:
    decision = decide(healthy(tests=(pending(5),)))
    assert decision.verdict == "deny"
    assert denying_codes(decision) == ["test_pending"]


def test_pending_result_does_not_hide_an_earlier_valid_negative() -> None:
    assert decide(healthy(tests=(negative(30), pending(5)))).verdict == "pass"


def test_pending_result_outside_the_window_is_no_excuse() -> None:
    assert denying_codes(decide(healthy(tests=(pending(100),)))) == ["test_missing"]


def test_positive_test_is_denied() -> None:
    decision = decide(healthy(tests=(positive(5),)))
    assert decision.verdict == "deny"
    assert denying_codes(decision) == ["test_positive"]


def test_later_positive_overrides_an_earlier_negative() -> None:
    assert denying_codes(decide(healthy(tests=(negative(30), positive(5))))) == ["test_positive"]


def test_later_negative_clears_an_earlier_positive() -> None:
    assert decide(healthy(tests=(positive(60), negative(5)))).verdict == "pass"


def test_positive_and_negative_sampled_at_the_same_instant_count_as_positive() -> None:
    tests = (negative(5), positive(5))
    assert denying_codes(decide(healthy(tests=tests))) == ["test_positive"]
    assert denying_codes(decide(healthy(tests=tests[::-1]))) == ["test_positive"]


def test_pending_result_after_a_positive_does_not_clear_it() -> None:
    assert denying_codes(decide(healthy(tests=(positive(30), pending(5))))) == ["test_positive"]


def test_positive_test_is_denied_even_where_no_test_is_needed() -> None:
    no_test = VenueRequirements(test_window_hours=None)
    assert denying_codes(decide(healthy(tests=(positive(200),)), no_test)) == ["test_positive"]


def test_venue_without_test_window_lets_in_people_without_a_test() -> None:
    no_test = VenueRequirements(test_window_hours=None)
    assert decide(healthy(tests=()), no_test).verdict == "pass"


def test_a_24_hour_venue_refuses_a_30_hour_old_test() -> None:
    strict = VenueRequirements(test_window_hours=24)
    assert denying_codes(decide(healthy(tests=(negative(30),)), strict)) == ["test_expired"]


def test_test_sampled_in_the_future_does_not_count() -> None:
    future = NucleicAcidTest(NOW + timedelta(minutes=5), "negative")
    decision = decide(healthy(tests=(future,)))
    assert decision.verdict == "deny"
    assert codes(decision) == ["test_missing", "test_sampled_in_future"]


def test_a_future_positive_does_not_deny_on_its_own() -> None:
    future = NucleicAcidTest(NOW + timedelta(hours=1), "positive")
    decision = decide(healthy(tests=(negative(10), future)))
    assert decision.verdict == "pass"
    assert codes(decision) == ["test_sampled_in_future"]


def test_the_latest_valid_negative_is_the_one_used() -> None:
    decision = decide(healthy(tests=(negative(70), negative(3), negative(40))))
    assert decision.panels.nucleic_acid.sampled_at == hours_ago(3)
    assert "test_expires_soon" not in codes(decision)


def test_passing_with_a_test_about_to_expire_carries_a_reminder() -> None:
    decision = decide(healthy(tests=(negative(67.5),)))
    assert decision.verdict == "pass"
    (note,) = decision.reasons
    assert note.code == "test_expires_soon"
    assert note.severity == "info"
    assert note.details["left"] == 4
    assert note.details["left_hours"] == 4.5


def test_reminder_never_says_zero_hours_left() -> None:
    (note,) = decide(healthy(tests=(negative(71.9),))).reasons
    assert note.details["left"] == 1


def test_no_reminder_while_the_test_has_more_than_twelve_hours_left() -> None:
    assert codes(decide(healthy(tests=(negative(59.9),)))) == []
    assert codes(decide(healthy(tests=(negative(60),)))) == ["test_expires_soon"]
