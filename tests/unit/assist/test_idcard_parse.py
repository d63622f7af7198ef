"""Parsing OCR lines of an ID card's front side into name and number (no OCR here)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from venuecode.assist.idcard import ReadProblem, parse_card_text
from venuecode.assist.ocr import TextLine
from venuecode.people.idnumber import check_character, make_id_number

NUMBER = make_id_number("330106", date(1952, 3, 7), 123)  # 330106195203071232
MINORITY = make_id_number("650102", date(1988, 11, 2), 46)


def line(text: str, x: float, y: float, *, score: float = 0.99, h: float = 30, w: float | None = None) -> TextLine:
    w = w if w is not None else 26 * len(text)
    return TextLine(text, score, ((x, y), (x + w, y), (x + w, y + h), (x, y + h)))


def card_lines(
    name: str = "张秀英",
    number: str = NUMBER,
    *,
    birth: str = "1952年3月7日",
    name_label: bool = True,
) -> list[TextLine]:
    """Lines as RapidOCR returns them for a clean card (see tests/support/idcards.py)."""
    lines = [
        line(name, 206, 124),
        line("性别男", 107, 197),
        line("民族汉", 315, 197),
        line(f"出生{birth}", 108, 268),
        line("住址", 107, 338),
        line("浙江省杭州市西湖区文三", 211, 338),
        line("路128号3幢502室", 212, 386),
        line("公民身份号码", 109, 511, score=1.0),
        line(number, 325, 505, score=0.97),
    ]
    if name_label:
        lines.append(line("姓名", 107, 126))
    return lines


def turned(lines: list[TextLine], degrees: float, cx: float = 480, cy: float = 320) -> list[TextLine]:
    """The same lines as the engine reports them for a photo turned by `degrees`.

    Corners stay in image order (top-left first as seen in the photo), which is what
    the engine does even when it turns the text itself right way up.
    """
    a = math.radians(degrees)

    def turn(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p[0] - cx, p[1] - cy
        return (cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))

    out = []
    for item in lines:
        pts = [turn(p) for p in item.box]
        if abs(degrees) > 90:  # corners re-ordered as seen in the turned image
            pts = pts[2:] + pts[:2]
        out.append(TextLine(item.text, item.score, (pts[0], pts[1], pts[2], pts[3])))
    return out


def test_a_clean_card_gives_number_and_name() -> None:
    reading = parse_card_text(card_lines())
    assert reading.id_number == NUMBER
    assert reading.name == "张秀英"
    assert reading.problems == []


def test_confidence_is_the_lowest_score_of_the_lines_used() -> None:
    assert parse_card_text(card_lines()).confidence == pytest.approx(0.97)


def test_the_label_and_the_name_in_one_line() -> None:
    lines = [item for item in card_lines(name_label=False) if item.text != "张秀英"]
    lines.append(line("姓名 张秀英", 107, 126))
    assert parse_card_text(lines).name == "张秀英"


def test_a_spaced_label_on_the_card_is_still_a_label() -> None:
    lines = [item for item in card_lines(name_label=False)]
    lines.append(line("姓 名", 107, 126))
    assert parse_card_text(lines).name == "张秀英"


def test_without_the_label_the_name_is_the_row_above_sex_and_ethnicity() -> None:
    assert parse_card_text(card_lines(name_label=False)).name == "张秀英"


@pytest.mark.parametrize(
    "shown",
    [
        "阿依古丽·买买提",
        "阿依古丽.买买提",
        "阿依古丽•买买提",
        "阿依古丽・买买提",
        "阿依古丽 · 买买提",
    ],
)
def test_minority_names_keep_their_middle_dot(shown: str) -> None:
    lines = card_lines(shown, MINORITY, birth="1988年11月2日")
    assert parse_card_text(lines).name == "阿依古丽·买买提"


def test_a_long_minority_name_up_to_fifteen_characters() -> None:
    name = "古丽娜尔·吐尔逊·阿不都热依木"
    assert parse_card_text(card_lines(name)).name == name


def test_a_label_is_never_taken_for_a_name() -> None:
    lines = [item for item in card_lines(name_label=False) if item.text != "张秀英"]
    reading = parse_card_text(lines)
    assert reading.name is None
    assert ReadProblem.NO_NAME in reading.problems
    assert reading.id_number == NUMBER


@pytest.mark.parametrize(
    "ocr_text",
    [
        "33O1O6I95203071232",  # O for 0, I for 1
        "330106l95203071232",  # l for 1
        "3301 0619 5203 0712 32",  # spaces inside
        "公民身份号码330106195203071232",  # the label read into the same line
        "３３０１０６１９５２０３０７１２３２",  # full-width digits
    ],
)
def test_common_ocr_confusions_are_undone(ocr_text: str) -> None:
    lines = [item for item in card_lines() if item.text != NUMBER]
    lines.append(line(ocr_text, 325, 505))
    assert parse_card_text(lines).id_number == NUMBER


def test_a_lower_case_x_check_character() -> None:
    number = next(
        make_id_number("110105", date(1990, 1, 1), seq)
        for seq in range(1000)
        if make_id_number("110105", date(1990, 1, 1), seq).endswith("X")
    )
    lines = card_lines(number=number.lower(), birth="1990年1月1日")
    assert parse_card_text(lines).id_number == number


def test_a_number_split_into_two_boxes_on_its_row_is_joined() -> None:
    lines = [item for item in card_lines() if item.text != NUMBER]
    lines += [line(NUMBER[:10], 325, 505), line(NUMBER[10:], 600, 506)]
    assert parse_card_text(lines).id_number == NUMBER


def test_a_wrong_check_character_is_caught_not_returned() -> None:
    bad = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    reading = parse_card_text(card_lines(number=bad))
    assert reading.id_number is None
    assert ReadProblem.CHECK_FAILED in reading.problems
    assert reading.name == "张秀英"  # the name is still offered


def test_a_single_misread_digit_is_caught_by_the_check_character() -> None:
    for i in range(17):
        wrong = str((int(NUMBER[i]) + 5) % 10)
        misread = NUMBER[:i] + wrong + NUMBER[i + 1 :]
        reading = parse_card_text(card_lines(number=misread))
        assert reading.id_number is None, misread


def test_a_double_misread_in_the_birth_date_is_caught_by_the_printed_date() -> None:
    # Valid by itself (own check character) but born 1958-03-07, not as printed.
    first17 = "33010619580307123"
    misread = first17 + check_character(first17)
    reading = parse_card_text(card_lines(number=misread))
    assert reading.id_number is None
    assert ReadProblem.BIRTH_MISMATCH in reading.problems


def test_a_truncated_number_is_reported_as_incomplete() -> None:
    reading = parse_card_text(card_lines(number=NUMBER[:16]))
    assert reading.id_number is None
    assert ReadProblem.INCOMPLETE in reading.problems


def test_two_different_valid_numbers_are_refused() -> None:
    other = make_id_number("110105", date(1952, 3, 7), 5)
    lines = [*card_lines(), line(other, 325, 600)]
    reading = parse_card_text(lines)
    assert reading.id_number is None
    assert ReadProblem.AMBIGUOUS in reading.problems


def test_an_impossible_birth_date_in_the_number_is_not_a_number() -> None:
    first17 = "33010619521307123"  # month 13
    reading = parse_card_text(card_lines(number=first17 + check_character(first17)))
    assert reading.id_number is None
    assert ReadProblem.NOT_A_NUMBER in reading.problems


def test_nothing_read_gives_no_number_and_no_name() -> None:
    reading = parse_card_text([])
    assert (reading.id_number, reading.name, reading.confidence) == (None, None, 0.0)
    assert reading.problems == [ReadProblem.NO_NUMBER, ReadProblem.NO_NAME]


def test_ordinary_text_with_a_few_digits_is_not_a_number() -> None:
    lines = [line("Tel 0571 8888 6666 Room 12", 10, 10), line("SOS HOLD ILL BOZO", 10, 60)]
    assert parse_card_text(lines).problems[0] == ReadProblem.NO_NUMBER


@pytest.mark.parametrize("degrees", [-8, 8])
def test_a_slanted_photo_keeps_its_rows(degrees: float) -> None:
    reading = parse_card_text(turned(card_lines(name_label=False), degrees))
    assert (reading.id_number, reading.name) == (NUMBER, "张秀英")


def test_an_upside_down_card_is_read_by_its_layout() -> None:
    reading = parse_card_text(turned(card_lines(name_label=False), 180))
    assert (reading.id_number, reading.name) == (NUMBER, "张秀英")


def test_problem_codes_have_messages_in_both_languages() -> None:
    for problem in ReadProblem:
        assert problem.message_zh and problem.message_en
