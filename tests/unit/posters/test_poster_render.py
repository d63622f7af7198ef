"""Posters render in every format and their QR codes decode, with an independent decoder
(zxing-cpp), to exactly the venue's URL, also from a photo-like picture of the print."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageFilter

from venuecode.venues.fonts import FontNotFound, bold_face, find_cjk_font, pick_face
from venuecode.venues.poster import (
    MAX_NAME_CHARS,
    TEXT_W,
    PosterContent,
    Text,
    layout,
    render_poster,
    text_width,
    wrap,
)

URL = "http://127.0.0.1:8000/s/AQEAAAABAAFxmWc3pQ2Xw2kN"
OTHER_URL = "https://venue.example.gov.cn/s/AQEAAAACAAJyZmc3pQ2Xw2kNqLm"
NAME = "西湖区文三路农贸市场"
LONG_NAME = "杭州市西湖区文三路与学院路交叉口东北角综合农贸市场（新鲜蔬菜水果海鲜干货区）" * 2
TEST_DPI = 150  # enough for every check, a quarter of the pixels of 300 dpi


@pytest.fixture(scope="module")
def font() -> Path:
    try:
        return find_cjk_font()
    except FontNotFound as exc:
        pytest.skip(f"no CJK font on this machine: {exc}")


def content(**changes: object) -> PosterContent:
    values: dict[str, object] = {
        "url": URL,
        "venue_name": NAME,
        "category_name": "农贸市场",
        "district": "西湖区",
        "venue_id": "HZ-XH-000123",
        "sub_area": "2号线 3号车厢",
    }
    values.update(changes)
    return PosterContent(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def png(font: Path) -> Image.Image:
    return Image.open(io.BytesIO(render_poster(content(), "png", font, dpi=TEST_DPI)))


@pytest.fixture(scope="module")
def pdf_zh(font: Path) -> bytes:
    return render_poster(content(venue_name=LONG_NAME[:MAX_NAME_CHARS]), "pdf", font)


@pytest.fixture(scope="module")
def pdf_en(font: Path) -> bytes:
    return render_poster(
        content(locale="en", category_name="Wet market", district="Xihu District"), "pdf", font
    )


def decode(image: Image.Image) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_page(data: bytes) -> pdfium.PdfPage:
    return pdfium.PdfDocument(data)[0]


def pdf_text(data: bytes) -> str:
    return str(pdf_page(data).get_textpage().get_text_range())


# ---------------------------------------------------------------- PNG


def test_png_is_a4_at_the_requested_resolution(png: Image.Image) -> None:
    assert png.size == (round(210 / 25.4 * TEST_DPI), round(297 / 25.4 * TEST_DPI))


def test_png_qr_decodes_to_exactly_the_url(png: Image.Image) -> None:
    assert decode(png) == [URL]


def test_png_qr_follows_the_url_it_is_given(font: Path) -> None:
    data = render_poster(content(url=OTHER_URL), "png", font, dpi=100)
    assert decode(Image.open(io.BytesIO(data))) == [OTHER_URL]


def test_qr_is_the_dominant_element(png: Image.Image) -> None:
    # The black QR ink spans well over half the page width.
    grey = np.asarray(png.convert("L"))
    cols = np.where((grey < 40).any(axis=0))[0]
    assert cols.max() - cols.min() > 0.6 * png.width


def test_phone_photo_of_the_printed_poster_decodes(png: Image.Image) -> None:
    """Scaled to a phone frame, tilted, blurred, noisy and JPEG-compressed."""
    photo = png.convert("RGB").resize((1000, round(1000 * png.height / png.width)), Image.LANCZOS)
    photo = photo.rotate(11, resample=Image.BICUBIC, expand=True, fillcolor=(120, 110, 100))
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    rng = np.random.default_rng(7)
    noisy = np.asarray(photo, dtype=np.float32) + rng.normal(0, 14, (photo.height, photo.width, 3))
    photo = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", quality=55)
    assert decode(Image.open(jpeg)) == [URL]


# ---------------------------------------------------------------- PDF


def test_pdf_is_one_a4_page_and_its_qr_decodes(pdf_zh: bytes) -> None:
    page = pdf_page(pdf_zh)
    assert (round(page.get_width() * 25.4 / 72), round(page.get_height() * 25.4 / 72)) == (
        210,
        297,
    )
    image = page.render(scale=2).to_pil()
    assert decode(image) == [URL]


def test_pdf_embeds_a_subset_of_the_cjk_font(pdf_zh: bytes) -> None:
    assert re.search(rb"/FontFile[23]?\b", pdf_zh)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", pdf_zh)  # subset tag
    assert len(pdf_zh) < 200_000


def test_pdf_text_has_title_long_name_and_chinese_instruction(pdf_zh: bytes) -> None:
    text = pdf_text(pdf_zh)
    flat = re.sub(r"\s+", "", text)
    assert "场所码" in text
    assert re.sub(r"\s+", "", LONG_NAME[:MAX_NAME_CHARS]) in flat
    assert "请使用手机扫码登记，核验健康状态" in text
    assert "HZ-XH-000123" in text
    assert "2号线3号车厢" in flat


def test_pdf_in_english_has_english_labels_and_keeps_the_name(pdf_en: bytes) -> None:
    text = pdf_text(pdf_en)
    assert "Venue Code" in text
    assert "Scan with your phone to check in and verify your health status" in text
    assert "Venue ID HZ-XH-000123" in text
    assert "Area:" in text
    assert NAME in text
    assert decode(pdf_page(pdf_en).render(scale=2).to_pil()) == [URL]


def test_truetype_font_renders_too(font: Path) -> None:
    wqy = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if not wqy.is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    data = render_poster(content(sub_area=None), "pdf", wqy)
    assert NAME in pdf_text(data)
    assert decode(pdf_page(data).render(scale=2).to_pil()) == [URL]


# ---------------------------------------------------------------- SVG


def test_svg_is_self_contained_text_outlines_and_a_decodable_qr_path(font: Path) -> None:
    svg = render_poster(content(), "svg", font)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    for element in root.iter():
        assert element.tag not in {f"{ns}image", f"{ns}text", f"{ns}use", f"{ns}style"}
        for attr, value in element.attrib.items():
            assert "href" not in attr
            assert "url(" not in value
    labels = [e.get("aria-label") for e in root.iter(f"{ns}path") if e.get("aria-label")]
    assert {"场所码", NAME, "请使用手机扫码登记，核验健康状态"} <= set(labels)

    # Paint the QR path's module runs ourselves and let zxing read them.
    qr = next(e for e in root.iter(f"{ns}path") if e.get("id") == "qr")
    runs = [tuple(map(int, m)) for m in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", qr.get("d", ""))]
    size = max(c + n for c, _, n in runs) + 4  # plus the quiet zone on the far side
    modules = np.full((size, size), 255, np.uint8)
    for col, row, n in runs:
        modules[row, col : col + n] = 0
    assert decode(Image.fromarray(modules).resize((size * 8, size * 8), Image.NEAREST)) == [URL]


# ---------------------------------------------------------------- layout and input


def test_long_names_wrap_to_at_most_three_lines_that_fit(font: Path) -> None:
    regular = pick_face(font)
    bold = bold_face(regular)
    name = LONG_NAME[:MAX_NAME_CHARS]
    texts = [op for op in layout(content(venue_name=name), regular, bold) if isinstance(op, Text)]
    lines = [t for t in texts if t.bold and t.text in name and t.text != "场所码"]
    assert 2 <= len(lines) <= 3
    assert "".join(t.text for t in lines) == name
    assert all(text_width(bold, t.text, t.size) <= TEXT_W + 1e-6 for t in lines)
    assert not any(t.text[0] in "，）》" for t in lines)


def test_short_names_are_one_big_line(font: Path) -> None:
    regular = pick_face(font)
    texts = [op for op in layout(content(), regular, bold_face(regular)) if isinstance(op, Text)]
    (line,) = [t for t in texts if t.text == NAME]
    assert line.size >= 14


def test_wrap_balances_lines_and_keeps_latin_words_whole() -> None:
    def width(s: str) -> float:
        return float(len(s))

    assert wrap("North Gate Market Hall", width, 12) == ["North Gate", "Market Hall"]
    # No line ends with an opening bracket or starts with a closing one.
    assert wrap("一二三四五（六七）", width, 4) == ["一二三四", "五（六", "七）"]
    assert wrap("一二三（四五", width, 4) == ["一二三", "（四五"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"venue_name": ""}, "empty"),
        ({"venue_name": "   "}, "empty"),
        ({"venue_name": "场" * (MAX_NAME_CHARS + 1)}, "at most 100"),
        ({"url": ""}, "url"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_bad_content_is_a_value_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        content(**changes)


def test_unknown_format_is_a_value_error(font: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        render_poster(content(), "gif", font)  # type: ignore[arg-type]


def test_svg_survives_markup_and_missing_glyphs_in_the_name(font: Path) -> None:
    name = 'Café "A&B" <老王面馆> 😀'
    root = ET.fromstring(render_poster(content(venue_name=name), "svg", font))
    labels = [e.get("aria-label") or "" for e in root.iter("{http://www.w3.org/2000/svg}path")]
    assert any('"A&B"' in label for label in labels)
    assert any("<老王面馆>" in label for label in labels)
