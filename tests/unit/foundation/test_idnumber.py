from datetime import date

import pytest

from venuecode.people.idnumber import (
    IdNumberError,
    check_character,
    is_plainly_valid,
    make_id_number,
    mask_id_number,
    mask_name,
    parse_id_number,
)


def test_the_gb11643_example_number_is_valid() -> None:
    # The worked example of GB 11643-1999.
    assert check_character("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert not parsed.male


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("11010519491231002", "id_number_length"),
        ("11010519491231002Y", "id_number_characters"),
        ("110105194912310021", "id_number_check"),
        ("110105194902300023", "id_number_birth_date"),
        ("990105194912310021", "id_number_region"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as info:
        parse_id_number(raw)
    assert info.value.code == code


def test_a_birth_date_in_the_future_is_refused() -> None:
    number = make_id_number("330106", date(2030, 1, 1), 1)
    with pytest.raises(IdNumberError):
        parse_id_number(number, today=date(2026, 1, 1))


def test_made_numbers_are_valid() -> None:
    for seq in range(0, 1000, 37):
        assert parse_id_number(make_id_number("330102", date(1990, 1, 2), seq))


def test_masking_shows_what_venue_staff_may_see() -> None:
    assert mask_id_number("330106198503141234") == "3301**********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"


TODAY = date(2022, 4, 19)


def _parses(value: str) -> bool:
    try:
        return parse_id_number(value, today=TODAY).value == value
    except IdNumberError:
        return False


@pytest.mark.parametrize("value", [
    "11010519491231002X", "110105194912310021", "110105194902300023", "990105194912310021",
    "11010519491231002x", " 11010519491231002X", "110000194912310026", "910000194912310021",
    "11010518991231002X", make_id_number("330106", date(2030, 1, 1), 1), "1101051949123100",
])
def test_the_fast_check_agrees_with_the_parser_and_never_accepts_more(value: str) -> None:
    assert is_plainly_valid(value, TODAY) == _parses(value)


def test_the_fast_check_accepts_generated_valid_numbers() -> None:
    numbers = [make_id_number("330106", date(1950 + n % 70, 1 + n % 12, 1 + n % 28), n % 1000)
               for n in range(500)]
    assert all(is_plainly_valid(v, TODAY) and _parses(v) for v in numbers)
