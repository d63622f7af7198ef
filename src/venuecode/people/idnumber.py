"""Resident identity numbers (居民身份证号码), GB 11643-1999.

18 characters: a 6-digit region code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence (odd for men, even for women) and a check character computed by ISO 7064
MOD 11-2, written 0-9 or X.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level codes run 11-65 plus 71 (Taiwan), 81 (Hong Kong), 82 (Macao), 83
# (Taiwan residents' permits), 91 (foreigners' permanent residence, 2023 format).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)


class IdNumberError(ValueError):
    """Why a string is not a valid identity number; `code` is stable for clients."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    male: bool

    @property
    def region(self) -> str:
        return self.value[:6]


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """Strip spaces and make a lower-case x upper-case, as people type it."""
    return raw.strip().replace(" ", "").upper()


def parse_id_number(raw: str, today: date | None = None) -> IdNumber:
    """Validate and parse; raise `IdNumberError` saying exactly what is wrong."""
    value = normalize(raw)
    if len(value) != 18:
        raise IdNumberError(
            "id_number_length",
            f"身份证号码应为18位，当前为{len(value)}位。",
            f"An ID number has 18 characters; this one has {len(value)}.",
        )
    if not _SHAPE.match(value):
        raise IdNumberError(
            "id_number_characters",
            "身份证号码前17位应为数字，最后一位为数字或X。",
            "The first 17 characters of an ID number are digits; the last is a digit or X.",
        )
    if int(value[:2]) not in _PROVINCES or (value[2:6] == "0000" and value[:2] != "91"):
        raise IdNumberError(
            "id_number_region",
            "身份证号码前6位不是有效的行政区划代码。",
            "The first 6 digits of the ID number are not a valid region code.",
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(
            "id_number_birth_date",
            "身份证号码中的出生日期无效。",
            "The birth date inside the ID number (characters 7-14) is not a real date.",
        ) from None
    if born.year < 1900 or (today is not None and born > today):
        raise IdNumberError(
            "id_number_birth_date",
            "身份证号码中的出生日期无效。",
            "The birth date inside the ID number (characters 7-14) is not a possible one.",
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            "id_number_check",
            "身份证号码校验位错误，请核对后重新输入。",
            "The ID number's check character (the last one) is wrong; please check "
            "the number for a typo.",
        )
    return IdNumber(value=value, birth_date=born, male=int(value[16]) % 2 == 1)


# On the ASCII codes: each digit d is (code - 48), so subtract 48 * sum(weights).
_CODE_OFFSET = 48 * sum(_WEIGHTS)


def is_plainly_valid(value: str, today: date) -> bool:
    """The checks of `parse_id_number`, fast, for a number already written canonically.

    For bulk files that repeat millions of numbers. False means "let `parse_id_number`
    decide" (and say why); it never accepts more than `parse_id_number` does.
    """
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    if int(value[:2]) not in _PROVINCES or (value[2:6] == "0000" and value[:2] != "91"):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > today:
        return False
    total = sum(map(mul, value[:17].encode(), _WEIGHTS)) - _CODE_OFFSET
    return _CHECK_CHARS[total % 11] == value[17]


def make_id_number(region: str, born: date, sequence: int) -> str:
    """Build a valid number (for the simulator and tests): region 6 digits, seq 0-999."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be 6 digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be 0-999")
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def mask_id_number(value: str) -> str:
    """3301**********1234: first four and last four shown, as venue staff may see it."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str) -> str:
    """张*三 / 李* : the family name and, for 3+ characters, the last character."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
