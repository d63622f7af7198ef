"""Reading the name and number off a photo of a resident ID card (帮扫 by ID card).

`read_id_card` decodes and checks the photo, runs a `TextRecognizer` (see `ocr.py`),
and hands the lines to `parse_card_text`, a pure function. A number is returned only
when it passes GB 11643 validation including the check character; anything the OCR
got wrong is reported in `problems` so the helper can retake the photo or type the
number in, never silently turned into somebody else's number.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from venuecode.assist.ocr import TextLine, TextRecognizer
from venuecode.errors import InvalidInput
from venuecode.people.idnumber import IdNumberError, parse_id_number

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# The detector works at ~736 px on the short side; bigger photos only cost time.
OCR_MAX_SIDE = 1600
# Below this engine score a name is flagged for the helper to check.
NAME_SURE_SCORE = 0.9


class ReadProblem(StrEnum):
    """Why a reading is incomplete; the value is a stable code for clients."""

    NO_NUMBER = "id_number_not_found"
    CHECK_FAILED = "id_number_check_failed"
    NOT_A_NUMBER = "id_number_invalid"
    INCOMPLETE = "id_number_incomplete"
    AMBIGUOUS = "id_number_ambiguous"
    BIRTH_MISMATCH = "id_number_birth_mismatch"
    NO_NAME = "name_not_found"
    NAME_UNSURE = "name_unsure"

    @property
    def message_zh(self) -> str:
        return _MESSAGES[self][0]

    @property
    def message_en(self) -> str:
        return _MESSAGES[self][1]


_MESSAGES = {
    ReadProblem.NO_NUMBER: (
        "未能识别身份证号码，请将身份证正面（人像面）完整、清晰地拍入画面后重试。",
        "No ID number found; photograph the whole front (photo side) of the card, "
        "sharp and unobstructed, and try again.",
    ),
    ReadProblem.CHECK_FAILED: (
        "识别出的号码校验位不符，可能识别有误，请重新拍照或手动更正。",
        "The number read does not pass the check character, so it was misread; "
        "please retake the photo or correct the number by hand.",
    ),
    ReadProblem.NOT_A_NUMBER: (
        "识别出的号码不是有效的身份证号码，请重新拍照或手动输入。",
        "The number read is not a valid ID number; please retake the photo or type it in.",
    ),
    ReadProblem.INCOMPLETE: (
        "号码不完整（可能被遮挡或裁切），请拍摄完整的身份证。",
        "The number is incomplete (covered or cut off); photograph the whole card.",
    ),
    ReadProblem.AMBIGUOUS: (
        "照片中有多个不同的号码，请只拍摄一张身份证。",
        "The photo shows more than one different number; photograph one card only.",
    ),
    ReadProblem.BIRTH_MISMATCH: (
        "号码中的出生日期与卡面不符，可能识别有误，请重新拍照或手动更正。",
        "The birth date inside the number differs from the one printed on the card, "
        "so something was misread; please retake the photo or correct it by hand.",
    ),
    ReadProblem.NAME_UNSURE: (
        "姓名识别把握不大，请核对。",
        "The name was read with low confidence; please check it against the card.",
    ),
    ReadProblem.NO_NAME: (
        "未能识别姓名，请手动填写。",
        "The name could not be read; please type it in.",
    ),
}


class IdCardImageError(InvalidInput):
    """The upload is not an image we can read, or is too big to read safely."""


@dataclass
class IdCardReading:
    id_number: str | None
    name: str | None
    confidence: float
    problems: list[str] = field(default_factory=list)


def read_id_card(image_bytes: bytes, recognizer: TextRecognizer, *, today: date | None = None) -> IdCardReading:
    """Read a card photo; try other orientations when no number turns up upright.

    Raises `IdCardImageError` for non-images and oversized ones.
    """
    image = load_image(image_bytes)
    # Portrait photos most likely hold the card sideways; try quarter turns first.
    turns = (0, 90, 270, 180) if image.height > image.width * 1.2 else (0, 180, 90, 270)
    best: IdCardReading | None = None
    for turn in turns:
        rotated = image.rotate(turn, expand=True) if turn else image
        lines = recognizer.recognize(rotated)
        reading = parse_card_text(lines, today=today)
        if best is None or _completeness(reading) > _completeness(best):
            best = reading
        if reading.id_number is not None and reading.name is not None:
            return reading
        if reading.id_number is not None and _number_level(lines):
            # The orientation is right but the detector missed the name (it happens
            # with soft focus); one more pass on a sharpened copy usually finds it.
            again = parse_card_text(recognizer.recognize(_sharpen(rotated)), today=today)
            if again.id_number == reading.id_number and again.name is not None:
                return again
            return reading
        if _upright(lines):
            # The card's labels read level: turning further would only cost time
            # re-reading the same photo (an upside-down card is handled by the layout).
            return best
    assert best is not None
    return best


def _sharpen(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.UnsharpMask(radius=3, percent=150))


def _completeness(reading: IdCardReading) -> tuple[bool, bool]:
    return (reading.id_number is not None, reading.name is not None)


def _upright(lines: Sequence[TextLine]) -> bool:
    """Labels legible on level lines: this orientation (or its 180° twin) is right."""
    labels = ("姓名", "性别", "民族", "出生", "住址", "公民身份")
    level = [line for line in lines if _is_level(line)]
    return sum(any(label in line.text for label in labels) for line in level) >= 2


def _number_level(lines: Sequence[TextLine]) -> bool:
    return any(_is_level(line) for line in lines if _number_candidates(line.text))


def _is_level(line: TextLine) -> bool:
    (x0, y0), (x1, y1), _, (x3, y3) = line.box
    return math.hypot(x1 - x0, y1 - y0) > math.hypot(x3 - x0, y3 - y0)


def load_image(image_bytes: bytes) -> Image.Image:
    """Decode, check the size, apply the EXIF orientation, downscale, make RGB."""
    if len(image_bytes) > MAX_IMAGE_BYTES:
        raise IdCardImageError(
            "idcard_image_too_large",
            f"图片过大（超过{MAX_IMAGE_BYTES // 2**20} MB），请压缩后重试。",
            f"The image is larger than {MAX_IMAGE_BYTES // 2**20} MB; send a smaller one.",
            size=len(image_bytes),
        )
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below is stricter than Pillow's bomb warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(image_bytes))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise IdCardImageError(
                    "idcard_image_too_large",
                    "图片像素过多，请降低分辨率后重试。",
                    f"The image has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels; send a smaller one.",
                    width=image.width,
                    height=image.height,
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:  # Pillow reports corrupt files through all of these
        raise IdCardImageError(
            "idcard_image_unreadable",
            "无法读取该图片，请上传 JPEG 或 PNG 格式的照片。",
            "The file is not an image that can be read; send a JPEG or PNG photo.",
            reason=str(exc),
        ) from None
    image = ImageOps.exif_transpose(image)
    image = _flatten(image)
    if max(image.size) > OCR_MAX_SIDE:
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent areas would otherwise turn black, like the text."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


# --- parsing OCR text ------------------------------------------------------------------

# OCR confusions seen in the number font: letters for digits, and the check X.
_CONFUSIONS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "x": "X",
        "×": "X",
        "Ｘ": "X",
    }
)
_RUN = re.compile(r"[0-9OoDQIl|i!ZzSsBxX×Ｘ０-９][0-9OoDQIl|i!ZzSsBxX×Ｘ０-９ ]*")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_NAME = re.compile(rf"^[{_CJK}]+(?:·[{_CJK}]+)*$")
_NAME_DOTS = re.compile(r"[.．•・‧∙⋅·\-－]+")
_NAME_LABEL = re.compile(r"^\s*姓\s*名\s*[:：]?\s*")
_LABEL_WORDS = (
    "姓名",
    "性别",
    "民族",
    "出生",
    "住址",
    "公民身份",
    "号码",
    "身份证",
    "中华人民",
    "签发",
    "有效期",
)
_BIRTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_MIN_DIGITS = 14


@dataclass(frozen=True)
class _Placed:
    """A line with its centre and height in a deskewed frame (card rows horizontal)."""

    line: TextLine
    x: float
    y: float
    height: float


def parse_card_text(lines: Sequence[TextLine], *, today: date | None = None) -> IdCardReading:
    """Name and number from OCR lines of a card's front side (pure; no image work)."""
    rows = _rows(lines)
    problems: list[str] = []
    number, number_lines = _find_number(rows, problems, today)
    if number is not None and not _birth_matches(rows, number):
        problems.append(ReadProblem.BIRTH_MISMATCH)
        number, number_lines = None, []
    name, name_lines = _find_name(rows)
    if name is None:
        problems.append(ReadProblem.NO_NAME)
    elif min(line.score for line in name_lines) < NAME_SURE_SCORE:
        # Names have no check character: a doubtful one is offered, but flagged.
        problems.append(ReadProblem.NAME_UNSURE)
    used = number_lines + name_lines
    confidence = min((line.score for line in used), default=0.0)
    return IdCardReading(number, name, round(confidence, 3), problems)


def _rows(lines: Sequence[TextLine]) -> list[list[_Placed]]:
    """Group lines into rows, after undoing the photo's slant, each row left to right."""
    if not lines:
        return []
    angle = _slant(lines)
    cos, sin = math.cos(-angle), math.sin(-angle)
    placed = []
    for line in lines:
        cx = sum(p[0] for p in line.box) / 4
        cy = sum(p[1] for p in line.box) / 4
        (x0, y0), _, _, (x3, y3) = line.box
        height = max(math.hypot(x3 - x0, y3 - y0), 1.0)
        placed.append(_Placed(line, cx * cos - cy * sin, cx * sin + cy * cos, height))
    if _upside_down(placed):
        placed = [_Placed(p.line, -p.x, -p.y, p.height) for p in placed]
    placed.sort(key=lambda p: p.y)
    rows: list[list[_Placed]] = []
    for item in placed:
        if rows:
            row = rows[-1]
            row_y = statistics.fmean(p.y for p in row)
            if abs(item.y - row_y) < 0.5 * max(item.height, max(p.height for p in row)):
                row.append(item)
                continue
        rows.append([item])
    return [sorted(row, key=lambda p: p.x) for row in rows]


def _upside_down(placed: Sequence[_Placed]) -> bool:
    """True when the number sits above the other text: the card is upside down.

    The engine turns each line's text right way up by itself, but leaves the boxes
    where they are, so the layout (name at the top, number at the bottom) is the clue.
    """
    numbers = [p.y for p in placed if _number_candidates(p.line.text)]
    others = [p.y for p in placed if not _number_candidates(p.line.text)]
    if not numbers or not others:
        return False
    return statistics.median(numbers) < statistics.median(others)


def _slant(lines: Sequence[TextLine]) -> float:
    """The median direction of the lines' top edges, weighted towards long lines."""
    angles = []
    for line in lines:
        (x0, y0), (x1, y1) = line.box[0], line.box[1]
        if math.hypot(x1 - x0, y1 - y0) > 2 * len(line.text.strip() or "x"):
            angles.extend([math.atan2(y1 - y0, x1 - x0)] * max(1, len(line.text)))
    return statistics.median(angles) if angles else 0.0


def _row_text(row: Sequence[_Placed]) -> str:
    return "".join(p.line.text for p in row)


def _find_number(
    rows: Sequence[Sequence[_Placed]], problems: list[str], today: date | None
) -> tuple[str | None, list[TextLine]]:
    valid: dict[str, list[TextLine]] = {}
    seen: list[ReadProblem] = []
    for row in rows:
        for candidate in _number_candidates(_row_text(row)):
            if len(candidate) != 18:
                seen.append(ReadProblem.INCOMPLETE)
                continue
            try:
                parsed = parse_id_number(candidate, today=today)
            except IdNumberError as exc:
                seen.append(ReadProblem.CHECK_FAILED if exc.code == "id_number_check" else ReadProblem.NOT_A_NUMBER)
                continue
            valid[parsed.value] = [p.line for p in row if _has_digits(p.line.text)]
    if len(valid) > 1:
        problems.append(ReadProblem.AMBIGUOUS)
        return None, []
    if valid:
        number, used = next(iter(valid.items()))
        return number, used
    if seen:
        # The most telling one: a failed check says "misread" better than a length.
        order = [ReadProblem.CHECK_FAILED, ReadProblem.NOT_A_NUMBER, ReadProblem.INCOMPLETE]
        problems.append(min(seen, key=order.index))
    else:
        problems.append(ReadProblem.NO_NUMBER)
    return None, []


def _has_digits(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= 4


def _number_candidates(text: str) -> list[str]:
    """Runs of number-like characters with enough real digits to be an ID number.

    Chinese characters (the 公民身份号码 label) and punctuation end a run; spaces inside
    one are dropped. Letters that look like digits become digits only inside a run that
    is mostly digits already, so ordinary words are never turned into numbers.
    """
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    out = []
    for match in _RUN.finditer(text):
        raw = match.group().replace(" ", "")
        if sum(ch.isdigit() for ch in raw) < _MIN_DIGITS:
            continue
        out.append(raw.translate(_CONFUSIONS))
    return out


def _birth_matches(rows: Sequence[Sequence[_Placed]], number: str) -> bool:
    """False only when the card's 出生 line was read as a real, different date.

    A second guard against misreads: the check character catches any single wrong
    digit, this catches a double error in the date part too.
    """
    for row in rows:
        text = _row_text(row).replace(" ", "")
        match = _BIRTH.search(text)
        if not match:
            continue
        try:
            printed = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue  # the date line itself is misread: no evidence either way
        return printed.strftime("%Y%m%d") == number[6:14]
    return True


def _find_name(rows: Sequence[Sequence[_Placed]]) -> tuple[str | None, list[TextLine]]:
    # 1. After the 姓名 label, in the same line or the next one on its row.
    for row in rows:
        for i, item in enumerate(row):
            compact = item.line.text.replace(" ", "")
            if not compact.startswith("姓名"):
                continue
            rest = _clean_name(_NAME_LABEL.sub("", item.line.text))
            if rest:
                return rest, [item.line]
            for after in row[i + 1 :]:
                name = _clean_name(after.line.text)
                if name:
                    return name, [after.line]
    # 2. No label read (it is small and grey): the row above 性别/民族.
    for k, row in enumerate(rows):
        text = _row_text(row)
        if k > 0 and ("性别" in text or "民族" in text):
            for item in rows[k - 1]:
                name = _clean_name(item.line.text.lstrip("姓名 "))
                if name:
                    return name, [item.line]
            break
    # 3. No label row legible at all (small, dim photos): the top row of the card, if
    #    it looks like a name. The number row must be below it, or this is not a front.
    number_rows = [k for k, row in enumerate(rows) if _number_candidates(_row_text(row))]
    if number_rows and number_rows[0] > 0:
        for item in rows[0]:
            name = _clean_name(item.line.text)
            if name:
                return name, [item.line]
    return None, []


def _clean_name(text: str) -> str | None:
    name = _NAME_DOTS.sub("·", text.replace(" ", "").replace("\u3000", "")).strip("·")
    if not 2 <= len(name) <= 15 or not _NAME.match(name):
        return None
    if any(word in name for word in _LABEL_WORDS):
        return None
    return name
