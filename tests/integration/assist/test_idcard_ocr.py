"""The real OCR engine on synthetic card photos (about a second each on one core)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.idcards import CardPerson, noise_image, render_person
from venuecode.assist.idcard import ReadProblem, read_id_card
from venuecode.assist.ocr import RapidOcrRecognizer
from venuecode.people.idnumber import check_character, make_id_number

pytest.importorskip("rapidocr_onnxruntime")
pytestmark = pytest.mark.ocr

BORN = date(1952, 3, 7)
PERSON = CardPerson(
    name="张秀英",
    id_number=make_id_number("330106", BORN, 124),
    sex="女",
    ethnicity="汉",
    birth=BORN,
    address="浙江省杭州市西湖区文三路128号3幢502室",
)
MINORITY_BORN = date(1988, 11, 2)
MINORITY = CardPerson(
    name="阿依古丽·买买提",
    id_number=make_id_number("650102", MINORITY_BORN, 46),
    sex="女",
    ethnicity="维吾尔",
    birth=MINORITY_BORN,
    address="新疆乌鲁木齐市天山区解放南路77号",
)


@pytest.fixture(scope="module")
def recognizer() -> RapidOcrRecognizer:
    # One engine for the module: loading the models is the slow part.
    engine = RapidOcrRecognizer(threads=1)
    engine.warm_up()
    return engine


@pytest.mark.parametrize(
    ("person", "options"),
    [
        (PERSON, {}),
        (MINORITY, {"scale": 0.334}),  # a 320-px-wide photo
        (PERSON, {"rotate": -8.0, "jpeg_quality": 35}),
        (PERSON, {"upside_down": True}),
        (MINORITY, {"glare": True, "rotate": 6.0}),
    ],
    ids=["clean", "small", "rotated-jpeg", "upside-down", "glare"],
)
def test_cards_are_read_exactly(recognizer: RapidOcrRecognizer, person: CardPerson, options: dict[str, object]) -> None:
    reading = read_id_card(render_person(person, **options), recognizer)
    assert (reading.id_number, reading.name) == (person.id_number, person.name)
    assert reading.problems == []
    assert 0.5 < reading.confidence <= 1.0


def test_a_card_with_a_wrong_check_character_gives_no_number(
    recognizer: RapidOcrRecognizer,
) -> None:
    good = PERSON.id_number
    bad = good[:17] + ("0" if check_character(good[:17]) != "0" else "1")
    forged = CardPerson(PERSON.name, bad, PERSON.sex, PERSON.ethnicity, BORN, PERSON.address)
    reading = read_id_card(render_person(forged), recognizer)
    assert reading.id_number is None
    assert ReadProblem.CHECK_FAILED in reading.problems


def test_a_photo_without_a_card_gives_no_number(recognizer: RapidOcrRecognizer) -> None:
    reading = read_id_card(noise_image(seed=3), recognizer)
    assert reading.id_number is None
    assert ReadProblem.NO_NUMBER in reading.problems
