"""Rule 2: how a check-in becomes a presence interval."""

from __future__ import annotations

from venuecode.categories import dwell_table
from venuecode.tracing.core import Interval, Presence, presence_intervals
from venuecode.tracing.intervals import merged_windows
from venuecode.tracing.memory import InMemorySource

from .city import at, sixty, visit

VENUE_CATEGORY = {"noodle-shop": "restaurant", "corner-pharmacy": "pharmacy"}
OVERRIDES = {"corner-pharmacy": 5.0}


def dwell(venue: str) -> float:
    """The deployment's dwell(): the venue's override, else its category's default."""
    return OVERRIDES.get(venue, dwell_table()[VENUE_CATEGORY[venue]])


def spans(intervals: list[Interval]) -> list[tuple[str, str, int, int]]:
    return [(i.person, i.venue, i.start, i.end) for i in intervals]


def test_a_check_in_lasts_its_categorys_default_dwell() -> None:
    # restaurant: 90 minutes by default
    got = presence_intervals([visit("p", "noodle-shop", "12:00")], dwell)
    assert spans(got) == [("p", "noodle-shop", at("12:00"), at("13:30"))]


def test_a_venues_own_dwell_overrides_its_category() -> None:
    # pharmacy would be 20 minutes; this pharmacy says 5
    got = presence_intervals([visit("p", "corner-pharmacy", "12:00")], dwell)
    assert spans(got) == [("p", "corner-pharmacy", at("12:00"), at("12:05"))]


def test_an_exit_scan_shortens_the_stay() -> None:
    got = presence_intervals([visit("p", "noodle-shop", "12:00", exit_="12:40")], dwell)
    assert spans(got) == [("p", "noodle-shop", at("12:00"), at("12:40"))]


def test_an_exit_scan_later_than_the_dwell_does_not_lengthen_the_stay() -> None:
    got = presence_intervals([visit("p", "noodle-shop", "12:00", exit_="15:00")], dwell)
    assert spans(got) == [("p", "noodle-shop", at("12:00"), at("13:30"))]


def test_the_next_check_in_at_any_venue_ends_the_stay() -> None:
    got = presence_intervals([visit("p", "noodle-shop", "12:00"), visit("p", "corner-pharmacy", "12:30")], dwell)
    assert spans(got) == [
        ("p", "noodle-shop", at("12:00"), at("12:30")),
        ("p", "corner-pharmacy", at("12:30"), at("12:35")),
    ]


def test_another_persons_check_in_does_not_end_the_stay() -> None:
    got = presence_intervals([visit("p", "noodle-shop", "12:00"), visit("q", "noodle-shop", "12:10")], dwell)
    assert spans(got)[0] == ("p", "noodle-shop", at("12:00"), at("13:30"))


def test_repeated_scans_at_one_venue_split_the_stay_without_overlap() -> None:
    got = presence_intervals([visit("p", "noodle-shop", "12:00"), visit("p", "noodle-shop", "12:05")], dwell)
    assert spans(got) == [
        ("p", "noodle-shop", at("12:00"), at("12:05")),
        ("p", "noodle-shop", at("12:05"), at("13:35")),
    ]


def test_same_instant_check_ins_keep_the_smallest_venue_id_by_code_point() -> None:
    # "B" (U+0042) sorts before "a" (U+0061): code points, not a case-folding order
    checkins = [
        Presence("p", "a-shop", at("12:00")),
        Presence("p", "B-shop", at("12:00")),
        Presence("p", "a-shop", at("13:00")),
    ]
    got = presence_intervals(checkins, sixty)
    assert spans(got) == [
        ("p", "B-shop", at("12:00"), at("13:00")),
        ("p", "a-shop", at("13:00"), at("14:00")),
    ]


def test_an_exact_duplicate_keeps_the_earliest_exit_scan() -> None:
    checkins = [
        Presence("p", "shop", at("12:00")),
        Presence("p", "shop", at("12:00"), at("12:20")),
        Presence("p", "shop", at("12:00"), at("12:30")),
    ]
    assert spans(presence_intervals(checkins, sixty)) == [("p", "shop", at("12:00"), at("12:20"))]


def test_an_exit_scan_at_or_before_the_entry_leaves_no_presence() -> None:
    checkins = [
        Presence("p", "shop", at("12:00"), at("12:00")),
        Presence("p", "shop", at("13:00"), at("12:59")),
    ]
    assert presence_intervals(checkins, sixty) == []


def test_the_source_computes_intervals_over_the_full_history() -> None:
    # The 13:30 check-in lies outside the window asked for, yet it ends the 13:00 stay.
    source = InMemorySource([visit("p", "shop", "13:00"), visit("p", "market", "13:30")], sixty)
    assert spans(source.intervals_of(["p"], at("12:00"), at("13:10"))) == [("p", "shop", at("13:00"), at("13:30"))]
    assert spans(source.intervals_at([("shop", at("13:29"), at("13:31"))])) == [("p", "shop", at("13:00"), at("13:30"))]
    assert list(source.intervals_at([("shop", at("13:30"), at("14:00"))])) == []


def test_a_window_touching_the_longest_stay_by_one_microsecond_finds_it() -> None:
    source = InMemorySource([visit("p", "shop", "13:00"), visit("q", "shop", "13:50", "13:55")], sixty)
    assert spans(source.intervals_at([("shop", at("14:00") - 1, at("15:00"))])) == [
        ("p", "shop", at("13:00"), at("14:00"))
    ]
    assert spans(source.intervals_of(["p"], at("14:00") - 1, at("15:00"))) == [("p", "shop", at("13:00"), at("14:00"))]


def test_windows_are_merged_per_venue_where_they_overlap_or_touch() -> None:
    got = merged_windows(
        [
            Interval("a", "shop", 10, 20),
            Interval("b", "shop", 20, 30),  # touches: one window
            Interval("c", "shop", 25, 26),  # inside
            Interval("d", "shop", 31, 40),  # a gap of 1: separate
            Interval("e", "cafe", 0, 5),
        ]
    )
    assert got == [("cafe", 0, 5), ("shop", 10, 30), ("shop", 31, 40)]
