"""`read_id_card` around the parser: image checks, orientation, retries (fake OCR)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from venuecode.assist import cli
from venuecode.assist.idcard import (
    MAX_IMAGE_BYTES,
    OCR_MAX_SIDE,
    IdCardImageError,
    ReadProblem,
    read_id_card,
)
from venuecode.assist.ocr import StaticRecognizer, TextLine
from venuecode.people.idnumber import make_id_number

NUMBER = make_id_number("330106", date(1952, 3, 7), 123)


def line(text: str, x: float, y: float) -> TextLine:
    w, h = 26 * len(text), 30
    return TextLine(text, 0.98, ((x, y), (x + w, y), (x + w, y + h), (x, y + h)))


CARD = [
    line("姓名", 107, 126),
    line("张秀英", 206, 124),
    line("性别男", 107, 197),
    line("出生1952年3月7日", 108, 268),
    line("公民身份号码", 109, 511),
    line(NUMBER, 325, 505),
]


def png(width: int = 400, height: int = 250, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height), "white").save(buf, "PNG")
    return buf.getvalue()


class Recording:
    """Remembers the images it was given; finds the card only at chosen call numbers."""

    def __init__(self, card_on_call: int | None = 1) -> None:
        self.card_on_call = card_on_call
        self.sizes: list[tuple[int, int]] = []

    def recognize(self, image: Image.Image) -> list[TextLine]:
        self.sizes.append(image.size)
        return list(CARD) if len(self.sizes) == self.card_on_call else []


def test_reads_through_the_recognizer() -> None:
    reading = read_id_card(png(), StaticRecognizer(CARD))
    assert (reading.id_number, reading.name) == (NUMBER, "张秀英")


def test_turns_the_photo_until_the_card_reads() -> None:
    fake = Recording(card_on_call=2)
    reading = read_id_card(png(400, 250), fake)
    assert reading.id_number == NUMBER
    assert fake.sizes == [(400, 250), (400, 250)]  # upright, then 180°


def test_a_portrait_photo_tries_quarter_turns_first() -> None:
    fake = Recording(card_on_call=None)
    read_id_card(png(250, 400), fake)
    assert fake.sizes == [(250, 400), (400, 250), (400, 250), (250, 400)]


def test_gives_up_after_four_orientations() -> None:
    fake = Recording(card_on_call=None)
    reading = read_id_card(png(), fake)
    assert reading.id_number is None
    assert ReadProblem.NO_NUMBER in reading.problems
    assert len(fake.sizes) == 4


def test_stops_turning_once_the_labels_read_level() -> None:
    # The card's labels are legible but the number is covered: turning will not help.
    fake = StaticRecognizer([item for item in CARD if item.text != NUMBER])
    reading = read_id_card(png(), fake)
    assert reading.id_number is None
    assert fake.calls == 1


class NameOnSecondLook:
    """Misses the name on the first pass, as the detector does on soft photos."""

    def __init__(self, second: list[TextLine]) -> None:
        self.passes = [[item for item in CARD if item.text != "张秀英"], second]

    def recognize(self, image: Image.Image) -> list[TextLine]:
        return self.passes.pop(0) if self.passes else []


def test_a_missed_name_is_looked_for_once_more_on_a_sharpened_copy() -> None:
    reading = read_id_card(png(), NameOnSecondLook(list(CARD)))
    assert (reading.id_number, reading.name) == (NUMBER, "张秀英")


def test_the_second_look_is_used_only_if_it_reads_the_same_number() -> None:
    other = make_id_number("110105", date(1952, 3, 7), 5)
    second = [*CARD[:-1], line(other, 325, 505)]
    reading = read_id_card(png(), NameOnSecondLook(second))
    assert (reading.id_number, reading.name) == (NUMBER, None)
    assert ReadProblem.NO_NAME in reading.problems


def test_large_photos_are_downscaled_before_ocr() -> None:
    fake = Recording()
    read_id_card(png(4000, 3000), fake)
    assert max(fake.sizes[0]) == OCR_MAX_SIDE


def test_the_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (400, 250), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    fake = Recording()
    read_id_card(buf.getvalue(), fake)
    assert fake.sizes[0] == (250, 400)


def test_a_transparent_png_is_read_on_white() -> None:
    seen: list[tuple[int, int, int]] = []

    class Probe:
        def recognize(self, image: Image.Image) -> list[TextLine]:
            seen.append(image.getpixel((0, 0)))  # type: ignore[arg-type]
            return list(CARD)

    buf = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buf, "PNG")
    read_id_card(buf.getvalue(), Probe())
    assert seen[-1] == (255, 255, 255)


@pytest.mark.parametrize("data", [b"", b"not an image at all", png()[:60]])
def test_non_images_are_refused_clearly(data: bytes) -> None:
    with pytest.raises(IdCardImageError) as caught:
        read_id_card(data, StaticRecognizer())
    assert caught.value.code == "idcard_image_unreadable"


def test_too_many_bytes_are_refused_before_decoding() -> None:
    with pytest.raises(IdCardImageError) as caught:
        read_id_card(b"\0" * (MAX_IMAGE_BYTES + 1), StaticRecognizer())
    assert caught.value.code == "idcard_image_too_large"


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(IdCardImageError) as caught:
        read_id_card(png(8000, 6000, mode="1"), StaticRecognizer())
    assert caught.value.code == "idcard_image_too_large"


# --- the CLI ----------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def use_fake(monkeypatch: pytest.MonkeyPatch, lines: list[TextLine]) -> None:
    monkeypatch.setattr(cli, "get_recognizer", lambda threads=None: StaticRecognizer(lines))


def test_cli_prints_the_reading_as_json(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake(monkeypatch, CARD)
    photo = tmp_path / "card.png"
    photo.write_bytes(png())
    result = runner.invoke(cli.app, ["read-id", str(photo)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id_number": NUMBER, "name": "张秀英", "confidence": 0.98}


def test_cli_exits_1_when_no_valid_number_is_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    use_fake(monkeypatch, [*CARD[:-1], line(bad, 325, 505)])
    photo = tmp_path / "card.png"
    photo.write_bytes(png())
    result = runner.invoke(cli.app, ["read-id", str(photo)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["id_number"] is None
    assert "check character" in result.stderr


@pytest.mark.parametrize("content", [b"hello", None])
def test_cli_exits_2_for_a_non_image_or_missing_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    use_fake(monkeypatch, CARD)
    path = tmp_path / "x.png"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(cli.app, ["read-id", str(path)])
    assert result.exit_code == 2
    assert "error:" in result.stderr
