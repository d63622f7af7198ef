"""`format_time_for` writes exactly what `datetime.isoformat` writes, in any zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from venuecode.tracing.service import format_time_for

# Whole-hour, half-hour and 45-minute offsets, DST both ways, a 30-minute DST shift
# (Lord Howe), and local mean time with seconds in the offset (before ~1900).
ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Europe/Dublin", "Australia/Lord_Howe",
         "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Africa/Monrovia"]
YEAR = 365 * 86_400_000_000


def isoformat(micros: int, tz: ZoneInfo) -> str:
    seconds, micro = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, tz).replace(microsecond=micro).isoformat()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.lists(st.integers(-100 * YEAR, 80 * YEAR), min_size=1, max_size=50),
    st.sampled_from([1, 1_000_000, 60_000_000]),
)
def test_any_instant_is_written_as_isoformat_writes_it(zone: str, instants: list[int], grid: int) -> None:
    tz = ZoneInfo(zone)
    fmt = format_time_for(tz)
    for micros in instants:
        micros -= micros % grid  # whole seconds and minutes (no fraction) are the common case
        assert fmt(micros) == isoformat(micros, tz)
        assert fmt(micros) == isoformat(micros, tz)  # and again, from the caches


def test_every_minute_around_daylight_saving_changes() -> None:
    for zone, local in [
        ("America/New_York", "2026-03-08T02:00:00-05:00"),
        ("America/New_York", "2026-11-01T02:00:00-04:00"),
        ("Australia/Lord_Howe", "2026-04-05T02:00:00+11:00"),
        ("Australia/Lord_Howe", "2026-10-04T02:00:00+10:30"),
    ]:
        tz = ZoneInfo(zone)
        fmt = format_time_for(tz)
        around = int(datetime.fromisoformat(local).timestamp()) * 1_000_000
        for minute in range(-150, 150):
            for micros in (around + minute * 60_000_000, around + minute * 60_000_000 + 1_500_001):
                assert fmt(micros) == isoformat(micros, tz)


def test_the_deployment_zone_looks_like_this() -> None:
    fmt = format_time_for(ZoneInfo("Asia/Shanghai"))
    at = int(datetime.fromisoformat("2026-11-27T08:30:00+08:00").timestamp()) * 1_000_000
    assert fmt(at) == "2026-11-27T08:30:00+08:00"
    assert fmt(at + 5) == "2026-11-27T08:30:00.000005+08:00"
