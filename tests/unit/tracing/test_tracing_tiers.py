"""Rules 3-5: exposure windows, minutes, tiers, sources and precedence, worked by hand.

Every venue's stay is 60 minutes unless an exit scan or a next check-in ends it sooner.
"""

from __future__ import annotations

import pytest

from venuecode.tracing.core import Case, Evidence

from .city import at, case, run, tiers, visit

MIN = 60_000_000


def test_a_presence_ending_exactly_at_the_window_start_gives_no_exposure() -> None:
    # window = [13:00 - 3 h, as_of) = [10:00, ...); the case's shop stay is [09:00, 10:00)
    checkins = [visit("C", "shop", "09:00"), visit("B", "shop", "09:30")]
    result = run(checkins, [case("C", "13:00")], look_back_days=0.125)
    assert result.contacts == []
    assert result.venues == []


def test_one_minute_inside_the_window_start_counts() -> None:
    checkins = [visit("C", "shop", "09:01"), visit("B", "shop", "09:30")]
    result = run(checkins, [case("C", "13:00")], look_back_days=0.125)
    assert tiers(result) == {"B": ("general", "C", 1.0)}


def test_the_default_look_back_is_four_days_before_the_reference_time() -> None:
    checkins = [
        visit("C", "shop", "10:00"),
        visit("B", "shop", "10:00"),
        visit("C", "cafe", "11:30"),
        visit("D", "cafe", "11:30"),
    ]
    # R - 4 days = 12:00: the shop is outside, half of the cafe stay is inside
    r = at("12:00", day=4)
    assert tiers(run(checkins, [Case("C", r, isolated=r)])) == {"D": ("close", "C", 30.0)}
    r = at("10:30", day=4)
    assert tiers(run(checkins, [Case("C", r, isolated=r)])) == {
        "B": ("close", "C", 30.0),
        "D": ("close", "C", 60.0),
    }


def test_a_presence_starting_exactly_at_isolation_is_excluded() -> None:
    checkins = [visit("C", "shop", "15:00"), visit("B", "shop", "15:00")]
    assert run(checkins, [case("C", isolated="15:00")]).contacts == []
    checkins = [visit("C", "shop", "14:59"), visit("B", "shop", "14:59")]
    assert tiers(run(checkins, [case("C", isolated="15:00")])) == {"B": ("general", "C", 1.0)}


def test_isolation_defaults_to_the_traces_as_of_time() -> None:
    checkins = [visit("C", "cafe", "10:00"), visit("B", "cafe", "10:00")]
    assert tiers(run(checkins, [case("C", "09:00")], as_of="10:20")) == {"B": ("close", "C", 20.0)}
    assert tiers(run(checkins, [case("C", "09:00", isolated="10:10")], as_of="10:20")) == {"B": ("general", "C", 10.0)}


def test_exactly_fifteen_minutes_is_close_and_fourteen_point_nine_nine_is_general() -> None:
    checkins = [
        visit("C", "shop", "10:00", "10:15"),
        visit("B", "shop", "10:00", "10:15"),
        visit("D", "shop", "10:00:00.6", "10:15"),  # 0.6 s later: 14.99 minutes
    ]
    result = tiers(run(checkins, [case("C")]))
    assert result["B"] == ("close", "C", 15.0)
    assert result["D"] == ("general", "C", pytest.approx(14.99, abs=1e-12))


def test_a_custom_close_threshold_is_used() -> None:
    checkins = [visit("C", "shop", "10:00", "10:10"), visit("B", "shop", "10:00")]
    assert tiers(run(checkins, [case("C")], close_minutes=10))["B"][0] == "close"
    assert tiers(run(checkins, [case("C")], close_minutes=10.5))["B"][0] == "general"


def test_exposure_sums_repeated_visits_and_each_overlap_is_evidence() -> None:
    checkins = [
        visit("C", "shop", "10:00", "11:00"),
        visit("B", "shop", "10:00", "10:10"),
        visit("B", "street", "10:10"),
        visit("B", "shop", "10:50"),  # 10 minutes more with C
    ]
    result = run(checkins, [case("C")])
    assert tiers(result) == {"B": ("close", "C", 20.0)}
    (contact,) = result.contacts
    assert contact.evidence == [
        Evidence("shop", at("10:00"), at("10:10")),
        Evidence("shop", at("10:50"), at("11:00")),
    ]
    assert [e.minutes for e in contact.evidence] == [10.0, 10.0]


def test_being_at_the_same_venue_at_different_times_is_no_exposure() -> None:
    checkins = [visit("C", "shop", "10:00", "10:30"), visit("B", "shop", "10:30")]
    assert run(checkins, [case("C")]).contacts == []


def test_the_source_is_the_case_with_the_largest_exposure() -> None:
    checkins = [
        visit("C1", "shop", "10:00", "10:20"),
        visit("C2", "shop", "10:00", "10:25"),
        visit("B", "shop", "10:00"),
    ]
    assert tiers(run(checkins, [case("C1"), case("C2")])) == {"B": ("close", "C2", 25.0)}


def test_a_tie_for_the_source_goes_to_the_smaller_id_by_code_point() -> None:
    # "Z" (U+005A) < "a" (U+0061)
    checkins = [
        visit("a", "shop", "10:00", "10:20"),
        visit("Z", "shop", "10:00", "10:20"),
        visit("B", "shop", "10:00"),
    ]
    assert tiers(run(checkins, [case("a"), case("Z")])) == {"B": ("close", "Z", 20.0)}


def test_cases_are_never_contacts_even_when_exposed_to_each_other() -> None:
    checkins = [
        visit("C1", "shop", "10:00"),
        visit("C2", "shop", "10:00"),
        visit("K", "shop", "10:00", "10:30"),
        # later K meets a third case, which must not become K's secondary contact
        visit("K", "bar", "12:00"),
        visit("C3", "bar", "12:00"),
    ]
    result = run(checkins, [case("C1"), case("C2"), case("C3", "08:00", isolated="09:00")])
    assert tiers(result) == {"K": ("close", "C1", 30.0)}


# A relay: the case C meets K, K meets S, S meets T, T meets U, each for 30 minutes, and
# G spends 5 minutes near C.
RELAY = [
    visit("C", "cafe", "10:00", "10:30"),
    visit("K", "cafe", "10:00", "10:30"),
    visit("G", "cafe", "10:25", "10:30"),
    visit("K", "bar", "11:00", "11:30"),
    visit("S", "bar", "11:00", "11:30"),
    visit("S", "gym", "12:00", "12:30"),
    visit("T", "gym", "12:00", "12:30"),
    visit("T", "shop", "13:00", "13:30"),
    visit("U", "shop", "13:00", "13:30"),
]


def test_depth_one_gives_close_and_general_only() -> None:
    assert tiers(run(RELAY, [case("C")], depth=1)) == {
        "K": ("close", "C", 30.0),
        "G": ("general", "C", 5.0),
    }


def test_depth_two_adds_secondary_contacts_of_close_contacts() -> None:
    assert tiers(run(RELAY, [case("C")])) == {
        "K": ("close", "C", 30.0),
        "S": ("secondary", "K", 30.0),
        "G": ("general", "C", 5.0),
    }


def test_deeper_tiers_are_tertiary_then_tier4_sorted_by_precedence() -> None:
    result = run(RELAY, [case("C")], depth=4)
    assert [(c.person, c.tier, c.source) for c in result.contacts] == [
        ("K", "close", "C"),
        ("S", "secondary", "K"),
        ("T", "tertiary", "S"),
        ("U", "tier4", "T"),
        ("G", "general", "C"),
    ]
    assert "U" not in tiers(run(RELAY, [case("C")], depth=3))


def test_a_close_contacts_window_starts_at_first_contact() -> None:
    checkins = [
        # K was at the gym with B1 before meeting the case: not K's exposure yet
        visit("K", "gym", "08:00", "09:00"),
        visit("B1", "gym", "08:00", "09:00"),
        # K arrives at the cafe at 10:20, the case at 10:30: first contact is 10:30
        visit("B2", "cafe", "10:10", "10:30"),
        visit("K", "cafe", "10:20", "11:00"),
        visit("C", "cafe", "10:30", "11:00"),
        # after first contact: B3 is secondary
        visit("K", "bar", "12:00", "13:00"),
        visit("B3", "bar", "12:00", "13:00"),
    ]
    result = run(checkins, [case("C")])
    # B2 spent 10:20-10:30 with K, before first contact, and left as the case arrived
    assert tiers(result) == {"K": ("close", "C", 30.0), "B3": ("secondary", "K", 60.0)}


def test_time_with_a_close_contact_just_before_first_contact_does_not_count() -> None:
    checkins = [
        visit("K", "shop", "09:30"),  # K's shop stay ends at 10:00, the first contact
        visit("B", "shop", "09:30", "10:00"),
        visit("K", "cafe", "10:00", "10:30"),
        visit("C", "cafe", "10:00", "10:30"),
        visit("K", "bar", "11:00", "11:15"),
        visit("B", "bar", "11:00", "11:15"),
    ]
    result = run(checkins, [case("C")])
    assert tiers(result)["B"] == ("secondary", "K", 15.0)
    assert result.contacts[1].evidence == [Evidence("bar", at("11:00"), at("11:15"))]


def test_first_contact_counts_a_brief_overlap_with_any_case() -> None:
    checkins = [
        visit("C1", "cafe", "09:00", "09:05"),
        visit("K", "cafe", "09:00", "09:05"),  # 5 minutes with C1: K's first contact
        visit("K", "shop", "09:05", "09:30"),
        visit("B", "shop", "09:05", "09:30"),  # 25 minutes with K, before K met C2
        visit("C2", "bar", "10:00", "10:30"),
        visit("K", "bar", "10:00"),  # 30 minutes with C2: K is close
    ]
    result = run(checkins, [case("C1"), case("C2")])
    assert tiers(result) == {"K": ("close", "C2", 30.0), "B": ("secondary", "K", 25.0)}


def test_a_contacts_isolation_ends_its_exposure_window() -> None:
    result = run(RELAY, [case("C")], contact_isolated={"K": at("11:10")})
    assert "S" not in tiers(result)  # 10 minutes with K before K's isolation
    result = run(RELAY, [case("C")], contact_isolated={"K": at("11:15")})
    assert tiers(result)["S"] == ("secondary", "K", 15.0)


def test_secondary_outranks_general() -> None:
    # G was 5 minutes near C (general) and then 20 minutes with K at the bar; K's window
    # started at 10:00, so the 5 cafe minutes count toward K too: 25
    checkins = [*RELAY, visit("G", "bar", "11:00", "11:20")]
    assert tiers(run(checkins, [case("C")]))["G"] == ("secondary", "K", 25.0)


def test_close_outranks_secondary() -> None:
    checkins = [*RELAY, visit("G", "cafe", "10:00", "10:30"), visit("G", "bar", "11:00")]
    # G is close to C (30 min) and also 30 minutes with K: reported once, as close
    assert tiers(run(checkins, [case("C")]))["G"] == ("close", "C", 30.0)


def test_secondary_outranks_tertiary_and_the_source_is_from_the_tier_above() -> None:
    checkins = [*RELAY, visit("X", "bar", "11:00", "11:30"), visit("X", "gym", "12:00")]
    # X is 30 minutes with K (close) and 30 minutes with S (secondary)
    result = tiers(run(checkins, [case("C")], depth=3))
    assert result["X"] == ("secondary", "K", 30.0)
    # T meets both S and X at the gym: the tier above for T is secondary, tie -> "S"
    assert result["T"] == ("tertiary", "S", 30.0)


def test_invalid_traces_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        run(RELAY, [case("C"), case("C", "09:00")])
    with pytest.raises(ValueError, match="depth"):
        run(RELAY, [case("C")], depth=0)
    with pytest.raises(ValueError, match="close_minutes"):
        run(RELAY, [case("C")], close_minutes=0)
