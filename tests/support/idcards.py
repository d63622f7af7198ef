"""Synthetic photos of the front side of a second-generation resident ID card.

Used by the OCR integration tests and by bench/ocr. The layout follows the real card
(85.6 x 54 mm; labels 姓名 性别 民族 出生 住址 公民身份号码 in small grey text, values
in black, photo on the right, the number in a wide monospaced font at the bottom), so
the reader's positional fallbacks are exercised too. All output is deterministic for a
given `seed`. The cards are fake: no real person's data, no security features.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

CARD_MM = (85.6, 54.0)

_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
)
_CJK_BOLD_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
)
_MONO_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
)
_LABEL = (112, 120, 134)
_INK = (22, 22, 24)


class NoFontError(RuntimeError):
    """No CJK font on this machine; install fonts-noto-cjk or fonts-wqy-zenhei."""


def find_cjk_font() -> Path:
    for candidate in _CJK_FONTS:
        if Path(candidate).exists():
            return Path(candidate)
    raise NoFontError(
        "no CJK font found (looked in " + ", ".join(_CJK_FONTS) + "); install fonts-noto-cjk or fonts-wqy-zenhei"
    )


@cache
def _font(kind: str, px: int) -> ImageFont.FreeTypeFont:
    if kind == "mono":
        paths = [p for p in _MONO_FONTS if Path(p).exists()]
    elif kind == "bold":
        paths = [p for p in _CJK_BOLD_FONTS if Path(p).exists()]
    else:
        paths = []
    path = paths[0] if paths else str(find_cjk_font())
    return ImageFont.truetype(path, max(px, 6))


@dataclass(frozen=True)
class CardPerson:
    name: str
    id_number: str
    sex: str
    ethnicity: str
    birth: date
    address: str


def render_id_card(
    name: str,
    id_number: str,
    sex: str,
    ethnicity: str,
    birth: date,
    address: str,
    *,
    size: int = 856,
    rotate: float = 0.0,
    jpeg_quality: int | None = None,
    glare: bool = False,
    blur: float = 0.0,
    scale: float = 1.0,
    upside_down: bool = False,
    brightness: float = 1.0,
    crop_bottom: float = 0.0,
    margin: float = 0.06,
    seed: int = 0,
) -> bytes:
    """A photo of the card's front side, as PNG (or JPEG when `jpeg_quality` is set).

    `size` is the card's width in pixels when drawn; `scale` resizes the finished photo
    (0.37 turns an 856-px card into a ~320-px photo, the way a distant shot looks).
    `rotate` turns the photo by degrees (counter-clockwise), `upside_down` adds 180.
    `brightness` < 1 darkens (0.45 is a dim room); `crop_bottom` cuts that fraction off
    the bottom of the photo (0.25 cuts the number off); `margin` is the table visible
    around the card, as a fraction of the card's width.
    """
    rng = random.Random(seed)
    card = _draw_card(name, id_number, sex, ethnicity, birth, address, size, rng)
    if glare:
        card = _add_glare(card, rng)
    table = _table(rng)
    photo = _on_table(card, margin, table)
    angle = rotate + (180.0 if upside_down else 0.0)
    if angle % 360:
        photo = photo.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    if crop_bottom > 0:
        keep = max(1, round(photo.height * (1 - crop_bottom)))
        photo = photo.crop((0, 0, photo.width, keep))
    if brightness != 1.0:
        photo = ImageEnhance.Brightness(photo).enhance(brightness)
    if blur > 0:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    if scale != 1.0:
        photo = photo.resize(
            (max(1, round(photo.width * scale)), max(1, round(photo.height * scale))),
            Image.Resampling.LANCZOS,
        )
    return _encode(photo, jpeg_quality)


def render_person(person: CardPerson, **options: object) -> bytes:
    return render_id_card(
        person.name,
        person.id_number,
        person.sex,
        person.ethnicity,
        person.birth,
        person.address,
        **options,  # type: ignore[arg-type]
    )


def _mm(size: int) -> float:
    return size / CARD_MM[0]


def _draw_card(
    name: str,
    id_number: str,
    sex: str,
    ethnicity: str,
    birth: date,
    address: str,
    size: int,
    rng: random.Random,
) -> Image.Image:
    mm = _mm(size)
    w, h = size, round(CARD_MM[1] * mm)
    card = _background(w, h, rng)
    draw = ImageDraw.Draw(card)
    label = _font("regular", round(2.6 * mm))
    value = _font("regular", round(3.2 * mm))
    big = _font("bold", round(3.6 * mm))
    mono = _font("mono", round(3.7 * mm))

    def text(x_mm: float, y_mm: float, s: str, font: ImageFont.FreeTypeFont, fill: tuple[int, int, int]) -> None:
        draw.text((x_mm * mm, y_mm * mm), s, font=font, fill=fill)

    text(6.0, 7.3, "姓  名", label, _LABEL)
    text(16.0, 6.8, name, big, _INK)
    text(6.0, 14.3, "性  别", label, _LABEL)
    text(16.0, 13.9, sex, value, _INK)
    text(27.0, 14.3, "民  族", label, _LABEL)
    text(37.0, 13.9, ethnicity, value, _INK)
    text(6.0, 21.3, "出  生", label, _LABEL)
    text(16.0, 20.9, f"{birth.year}", value, _INK)
    text(25.5, 21.3, "年", label, _LABEL)
    text(30.0, 20.9, f"{birth.month}", value, _INK)
    text(34.0, 21.3, "月", label, _LABEL)
    text(38.0, 20.9, f"{birth.day}", value, _INK)
    text(42.5, 21.3, "日", label, _LABEL)
    text(6.0, 28.3, "住  址", label, _LABEL)
    for i, line in enumerate(_wrap(address, 11)[:3]):
        text(16.0, 27.9 + i * 4.6, line, value, _INK)
    text(6.0, 45.6, "公民身份号码", label, _LABEL)
    # The real card prints the number with wide, even spacing; draw it glyph by glyph.
    for i, ch in enumerate(id_number):
        text(27.5 + i * 2.55, 44.9, ch, mono, _INK)
    _photo_placeholder(card, mm)
    return _round_corners(card, round(3.0 * mm))


def _wrap(s: str, width: int) -> list[str]:
    return [s[i : i + width] for i in range(0, len(s), width)] or [""]


def _background(w: int, h: int, rng: random.Random) -> Image.Image:
    """Pale card stock with a faint wavy pattern, a little like the printed guilloche."""
    base = (236 + rng.randint(-4, 4), 239 + rng.randint(-4, 4), 231 + rng.randint(-4, 6))
    card = Image.new("RGB", (w, h), base)
    draw = ImageDraw.Draw(card)
    tint = (base[0] - 14, base[1] - 8, base[2] - 2)
    phase = rng.uniform(0, math.tau)
    step = max(2, w // 60)
    for k in range(0, h + w // 4, max(3, h // 18)):
        points = [(x, k + math.sin(x / w * 9 + phase + k / 17) * h / 30 - w / 8) for x in range(0, w + step, step)]
        draw.line(points, fill=tint, width=1)
    return card


def _photo_placeholder(card: Image.Image, mm: float) -> None:
    box = (round(55 * mm), round(7 * mm), round(81 * mm), round(41 * mm))
    w, h = box[2] - box[0], box[3] - box[1]
    photo = Image.new("RGB", (w, h), (226, 230, 236))
    draw = ImageDraw.Draw(photo)
    cx = w / 2
    # Head and shoulders in grey, so the detector sees a picture, not text.
    draw.ellipse((cx - 6.5 * mm, 6 * mm, cx + 6.5 * mm, 22 * mm), fill=(150, 150, 155))
    draw.ellipse((1 * mm, 23 * mm, w - 1 * mm, h + 16 * mm), fill=(95, 98, 110))
    card.paste(photo, box[:2])


def _round_corners(card: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius, 255)
    rgba = card.convert("RGBA")
    rgba.putalpha(mask)
    return rgba


def _add_glare(card: Image.Image, rng: random.Random) -> Image.Image:
    """A bright, soft elliptical highlight over the middle of the card (lamp reflection).

    It washes out part of the address and the left edge of the number row's upper half,
    never the whole number, which is what a real reflection usually does.
    """
    w, h = card.size
    mask = Image.new("L", (w, h), 0)
    cx = w * rng.uniform(0.30, 0.42)
    cy = h * rng.uniform(0.45, 0.55)
    rx, ry = w * 0.18, h * 0.24
    ImageDraw.Draw(mask).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=250)
    mask = mask.filter(ImageFilter.GaussianBlur(w / 70))
    white = Image.new("RGBA", (w, h), (255, 255, 250, 255))
    out = Image.composite(white, card, mask)
    out.putalpha(card.getchannel("A"))
    return out


def _table(rng: random.Random) -> tuple[int, int, int]:
    g = rng.randint(70, 130)
    return (g + rng.randint(0, 30), g + rng.randint(0, 15), g)


def _on_table(card: Image.Image, margin: float, table: tuple[int, int, int]) -> Image.Image:
    pad = round(card.width * margin)
    photo = Image.new("RGB", (card.width + 2 * pad, card.height + 2 * pad), table)
    photo.paste(card, (pad, pad), card)
    return photo


def _encode(image: Image.Image, jpeg_quality: int | None) -> bytes:
    buf = io.BytesIO()
    if jpeg_quality is None:
        image.save(buf, "PNG")
    else:
        image.convert("RGB").save(buf, "JPEG", quality=jpeg_quality)
    return buf.getvalue()


# --- images that are not (readable) cards ---------------------------------------------


def blank_image(width: int = 800, height: int = 500, color: int = 245) -> bytes:
    return _encode(Image.new("RGB", (width, height), (color, color, color)), None)


def noise_image(width: int = 800, height: int = 500, seed: int = 0) -> bytes:
    """Blurry coloured blobs over noise: photo-like, with no text in it."""
    rng = random.Random(seed)
    image = Image.effect_noise((width, height), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(20, 160)
        color = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
    return _encode(image.filter(ImageFilter.GaussianBlur(6)), jpeg_quality=80)


# --- random people, for the benchmark -------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯"
    "健俊帆帅旭宁龙林欣怡佳琪子涵梓轩雨晨思远文博嘉懿瑞泽"
)
_MINORITY_NAMES = ("阿依古丽·买买提", "买买提·艾力", "古丽娜尔·吐尔逊", "扎西·多吉")
_REGIONS = (
    ("110105", "北京市朝阳区建国路"),
    ("310104", "上海市徐汇区漕溪北路"),
    ("330106", "浙江省杭州市西湖区文三路"),
    ("440305", "广东省深圳市南山区科技园路"),
    ("510107", "四川省成都市武侯区人民南路"),
    ("650102", "新疆乌鲁木齐市天山区解放南路"),
)
_ETHNICITIES = ("汉", "汉", "汉", "回", "满", "壮", "维吾尔", "藏", "蒙古")


def random_person(rng: random.Random) -> CardPerson:
    """A made-up person with a valid identity number (check character included)."""
    from venuecode.people.idnumber import make_id_number

    region, street = rng.choice(_REGIONS)
    born = date(rng.randint(1935, 2020), rng.randint(1, 12), rng.randint(1, 28))
    sequence = rng.randint(0, 999)
    if rng.random() < 0.1:
        name = rng.choice(_MINORITY_NAMES)
    else:
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return CardPerson(
        name=name,
        id_number=make_id_number(region, born, sequence),
        sex="男" if sequence % 2 else "女",
        ethnicity=rng.choice(_ETHNICITIES),
        birth=born,
        address=f"{street}{rng.randint(1, 399)}号{rng.randint(1, 30)}幢{rng.randint(101, 2505)}室",
    )


def people(seed: int, count: int) -> Iterator[CardPerson]:
    rng = random.Random(seed)
    for _ in range(count):
        yield random_person(rng)
