from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from venuecode.timeutil import TimeFormatError, from_micros, parse_instant, to_micros

SH = ZoneInfo("Asia/Shanghai")


def test_three_spellings_of_one_instant_are_equal() -> None:
    a = parse_instant("2022-04-11T00:00:00Z", SH)
    b = parse_instant("2022-04-11T08:00:00+08:00", SH)
    c = parse_instant("2022-04-11 08:00:00", SH)
    assert a == b == c
    assert to_micros(a) == to_micros(c)


def test_a_bare_date_is_local_midnight() -> None:
    assert parse_instant("2022-04-11", SH) == datetime(2022, 4, 10, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2022-04", "2022-13-01", "2022-02-30", "yesterday", "",
                                 "2022-W15-1", "2022-04-11T25:00:00"])
def test_unusable_times_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(TimeFormatError):
        parse_instant(bad, SH)


def test_micros_round_trip_exactly() -> None:
    t = datetime(2022, 4, 19, 8, 30, 1, 123456, tzinfo=UTC)
    assert from_micros(to_micros(t)) == t
