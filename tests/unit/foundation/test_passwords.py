"""Staff passwords: the policy (zxcvbn score >= 3, reasons in Chinese) and lockout backoff."""

from __future__ import annotations

import pytest

from venuecode.access.ratelimit import Limiter
from venuecode.errors import InvalidInput, RateLimited
from venuecode.people import auth
from venuecode.people.models import User

GOOD = "correct-horse-battery"


@pytest.mark.parametrize(("password", "why"), [
    ("aaaaaaaaaa", "重复字符"),
    ("1234567890", "最常用的100个密码"),
    ("password12", "常见"),
    ("98765432109", "顺序"),
    ("13812345678abc", "手机号"),
])
def test_common_and_guessable_passwords_are_refused_with_the_reason_in_chinese(
        password: str, why: str) -> None:
    with pytest.raises(InvalidInput) as info:
        auth.hash_password(password, ("13812345678", "王芳"))
    assert info.value.code == "password_weak"
    assert info.value.message_zh.startswith("密码太容易被猜到：")
    assert why in info.value.message_zh


def test_short_passwords_are_refused_first() -> None:
    with pytest.raises(InvalidInput) as info:
        auth.hash_password("Zq7!x")
    assert info.value.code == "password_too_short"


def test_a_long_uncommon_password_is_accepted() -> None:
    assert auth.hash_password(GOOD, ("13812345678",)).startswith("$argon2")


def _user() -> User:
    return User(id=41, password_hash=auth.hash_password(GOOD))


def _wait(limiter: Limiter, user: User, password: str) -> int:
    with pytest.raises(RateLimited) as info:
        auth.check_password(limiter, user, password)
    return int(info.value.details["retry_after"])


def test_five_wrong_passwords_lock_for_about_a_quarter_hour() -> None:
    limiter, user = Limiter.memory(), _user()
    assert [auth.check_password(limiter, user, f"nope-{i}") for i in range(5)] == [False] * 5
    assert 14 * 60 < _wait(limiter, user, GOOD) <= 15 * 60


def test_the_wait_grows_with_more_failures_an_hour_then_a_day() -> None:
    limiter, user = Limiter.memory(), _user()
    short, hour, day = auth.PASSWORD_TIERS
    # As if earlier rounds had failed: the quarter-hour window has passed, the longer not.
    for _ in range(hour.amount - 1):
        limiter.hit(hour, str(user.id))
        limiter.hit(day, str(user.id))
    assert auth.check_password(limiter, user, "nope") is False
    assert 59 * 60 < _wait(limiter, user, GOOD) <= 3600
    for tier in (short, hour):
        limiter.clear(tier, str(user.id))
    for _ in range(day.amount - hour.amount):
        limiter.hit(day, str(user.id))
    assert 23 * 3600 < _wait(limiter, user, GOOD) <= 24 * 3600


def test_a_right_password_clears_the_count() -> None:
    limiter, user = Limiter.memory(), _user()
    for i in range(4):
        auth.check_password(limiter, user, f"nope-{i}")
    assert auth.check_password(limiter, user, GOOD) is True
    assert [auth.check_password(limiter, user, f"no-{i}") for i in range(5)] == [False] * 5


def test_the_wait_is_said_in_minutes_or_hours() -> None:
    assert "请15分钟后再试" in auth.PasswordLocked(899.2).message_zh
    assert "请2小时后再试" in auth.PasswordLocked(3601).message_zh
