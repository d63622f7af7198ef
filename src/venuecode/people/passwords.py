"""Why a password is too easy to guess, in Chinese and English, from zxcvbn's estimate.

zxcvbn (Dropbox's estimator, PyPI `zxcvbn`) knows common passwords, words, names, dates,
keyboard walks, repeats and sequences. Its feedback is English only, so its fixed warning
texts are translated here; an unknown text falls back to a general reason.
"""

from __future__ import annotations

from collections.abc import Sequence

_ZH = {
    "Straight rows of keys are easy to guess.": "键盘上连成一行的按键很容易被猜到。",
    "Short keyboard patterns are easy to guess.": "简短的键盘图案很容易被猜到。",
    'Repeats like "aaa" are easy to guess.': "像“aaa”这样的重复字符很容易被猜到。",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "像“abcabcabc”这样的重复只比“abc”难猜一点。",
    'Sequences like "abc" or "6543" are easy to guess.': "像“abc”或“6543”这样的顺序很容易被猜到。",
    "Recent years are easy to guess.": "近年的年份很容易被猜到。",
    "Dates are often easy to guess.": "日期通常很容易被猜到。",
    "This is a top-10 common password.": "这是最常用的10个密码之一。",
    "This is a top-100 common password.": "这是最常用的100个密码之一。",
    "This is a very common password.": "这是非常常见的密码。",
    "This is similar to a commonly used password.": "这与常用密码相似。",
    "A word by itself is easy to guess.": "单独一个单词很容易被猜到。",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到。",
    "Common names and surnames are easy to guess.": "常见的姓名很容易被猜到。",
}
_GENERAL = ("它太短或规律太明显。", "it is too short or too regular.")


def weakness(password: str, user_inputs: Sequence[str], min_score: int
             ) -> tuple[str, str] | None:
    """None when zxcvbn scores `password` at least `min_score`, else (zh, en) reasons."""
    from zxcvbn import zxcvbn  # loaded on first use: its word lists take a moment

    # zxcvbn's cost grows with the length; past 72 characters argon2 input is plenty.
    result = zxcvbn(password[:72], user_inputs=[u for u in user_inputs if u])
    if int(result["score"]) >= min_score:
        return None
    warning = str(result["feedback"].get("warning") or "")
    if any(u and u.lower() in password.lower() for u in user_inputs):
        return "它包含您的手机号或姓名。", "it contains your phone number or name."
    if warning in _ZH:
        return _ZH[warning], warning
    return _GENERAL
