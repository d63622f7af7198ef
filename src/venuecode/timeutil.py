"""Parsing times the way every spec in this project says to.

ISO 8601; without an offset a time is local time of the deployment; a bare date means
00:00 local time of that date. Everything is turned into an aware UTC datetime, so two
spellings of one instant compare equal.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # instants are stored as micros since this

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The standard library accepts week dates and ordinal dates; the specs only mean calendar
# dates with a day, so reject the rest ("2022-04" must not silently become 2022-04-01).
_ISO_CALENDAR = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


class TimeFormatError(ValueError):
    """A time that is not ISO 8601 as the specs require; the message says what to fix."""


def parse_instant(value: str | datetime | date, tz: ZoneInfo) -> datetime:
    """Parse an ISO 8601 time into an aware UTC datetime.

    Naive times and bare dates are local time in `tz`.
    """
    if isinstance(value, datetime):
        return _localize(value, tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)
    text = value.strip()
    if not text:
        raise TimeFormatError("time is empty; write it as ISO 8601, e.g. 2022-04-19T08:30:00+08:00")
    if not _ISO_CALENDAR.match(text):
        raise TimeFormatError(
            f"{text!r} is not an ISO 8601 date or time with year, month and day "
            "(e.g. 2022-04-19 or 2022-04-19T08:30:00+08:00)"
        )
    if _DATE_ONLY.match(text):
        try:
            d = date.fromisoformat(text)
        except ValueError as exc:
            raise TimeFormatError(f"{text!r} is not a real date: {exc}") from None
        return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise TimeFormatError(f"{text!r} is not a real date and time: {exc}") from None
    return _localize(parsed, tz)


def _localize(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact, no float)."""
    if value.tzinfo is None:
        raise ValueError("to_micros needs a timezone-aware datetime")
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)
