"""Venue code posters: an A4 sheet with the venue's QR code, as PNG, SVG or PDF.

One layout, computed once in millimetres as a list of drawing operations, is painted by
three small back-ends, so the formats cannot drift apart. Text is measured with the
font's own advance widths (fontTools), which every back-end then reproduces.
"""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import segno
from fontTools import subset
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from venuecode.venues.fonts import FontFace, FontNotFound, bold_face, find_cjk_font, pick_face

__all__ = [
    "QUIET_ZONE",
    "FontNotFound",
    "PosterContent",
    "PosterFormat",
    "make_qr",
    "qr_matrix",
    "render_poster",
]

PosterFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[PosterFormat, ...] = ("png", "svg", "pdf")
MAX_NAME_CHARS = 100
QUIET_ZONE = 4  # modules; the QR standard's minimum, below it phones hesitate

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN = 10.0  # clear of the unprintable edge of office printers
CONTENT_W = PAGE_W - 2 * MARGIN
TEXT_W = CONTENT_W - 12  # text keeps clear of the frame
GREEN = "#0B6B3A"  # dark enough that white on it and it on white both pass WCAG AAA
INK = "#111111"
GREY = "#333333"
PALE = "#E6F2EA"
WHITE = "#FFFFFF"
QR_INK = "#000000"  # pure black: the QR is what must survive a cheap printer

_HEADER_H = 30.0
_FOOTER_H = 22.0
_NAME_MAX, _NAME_MIN = 16.0, 5.0  # em size in mm; 5 mm is about 14 pt
_NAME_BLOCK_MAX = 40.0  # the name may take this much height, the QR gets the rest
_NAME_PITCH = 1.28  # line pitch as a multiple of the size
_QR_MAX = 165.0
_ASCENT = 0.88  # CJK ideographic em box top, relative to the baseline, per em

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "场所码",
        "instruction": "请使用手机扫码登记，核验健康状态",
        "area": "区域：",
        "id": "场所编号 ",
    },
    "en": {
        # Bilingual: the poster hangs in China, the title should still read as 场所码.
        "title": "场所码 Venue Code",
        "instruction": "Scan with your phone to check in and verify your health status",
        "area": "Area: ",
        "id": "Venue ID ",
    },
}


@dataclass(frozen=True)
class PosterContent:
    url: str
    venue_name: str
    category_name: str
    district: str
    venue_id: str
    sub_area: str | None = None
    locale: str = "zh"

    def __post_init__(self) -> None:
        name = " ".join(self.venue_name.split())
        if not name:
            raise ValueError("venue name is empty; a poster needs the venue's name")
        if len(name) > MAX_NAME_CHARS:
            raise ValueError(
                f"venue name has {len(name)} characters; at most {MAX_NAME_CHARS} fit a poster"
            )
        if not self.url.strip():
            raise ValueError("url is empty; the QR code must encode the venue's scan URL")
        if _locale_key(self.locale) is None:
            raise ValueError(f"unknown poster locale {self.locale!r}; use 'zh' or 'en'")


def _locale_key(locale: str) -> str | None:
    key = locale.lower()[:2]
    return key if key in _LABELS else None


# ---------------------------------------------------------------- QR code


def make_qr(url: str) -> segno.QRCode:
    """The QR code for `url`.

    Level Q (25 % recovery; segno raises it to H when that costs no extra modules):
    a door poster gets creased, dirty and glared at, and a 55-character URL still fits
    version 5 or 6, so at poster size each module stays 3 mm or more.
    """
    return segno.make_qr(url, error="q")


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """Rows of dark (True) / light modules, including the 4-module quiet zone."""
    qr = make_qr(url)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE))


def _dark_runs(matrix: tuple[tuple[bool, ...], ...]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


# ---------------------------------------------------------------- fonts and measuring

# fontTools loads tables lazily and is not thread-safe; the web server renders in threads.
_FONT_LOCK = threading.RLock()


@cache
def _ttfont(face: FontFace) -> TTFont:
    with _FONT_LOCK:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        font.getBestCmap()  # load the tables we need now, under the lock
        font["hmtx"]
        return font


def _advance(face: FontFace, ch: str) -> int:
    font = _ttfont(face)
    with _FONT_LOCK:
        name = font.getBestCmap().get(ord(ch), ".notdef")
        advance: int = font["hmtx"][name][0]
        return advance


def _units_per_em(face: FontFace) -> int:
    upem: int = _ttfont(face)["head"].unitsPerEm
    return upem


def text_width(face: FontFace, text: str, size: float) -> float:
    """Width of `text` set at em size `size` (same unit as `size`)."""
    return sum(_advance(face, ch) for ch in text) * size / _units_per_em(face)


def _measure(face: FontFace, size: float) -> Callable[[str], float]:
    return lambda text: text_width(face, text, size)


_NO_LINE_START = set("，。、；：！？）》」』】〕…,.;:!?)]}%")
_NO_LINE_END = set("（《「『【〔([{")


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, Latin words whole, spaces apart.

    Closing punctuation sticks to what precedes it and opening punctuation to what
    follows, so that no line starts with ） or ends with （.
    """
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or ord(ch) >= 0x2E80:
            if word:
                tokens.append(word)
                word = ""
            if ch in _NO_LINE_START and tokens and tokens[-1] != " ":
                tokens[-1] += ch
            else:
                tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    merged: list[str] = []
    for token in tokens:
        if merged and merged[-1][-1] in _NO_LINE_END and merged[-1] != " ":
            merged[-1] += token
        else:
            merged.append(token)
    return merged


def wrap(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """Greedy line breaking of `text` into lines no wider than `max_width`."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        pieces = list(token) if width(token) > max_width else [token]  # split a long word
        for piece in pieces:
            if line.strip() and width((line + piece).rstrip()) > max_width:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_name(name: str, face: FontFace) -> tuple[float, list[str]]:
    """Largest size, and balanced lines, at which the name fits 3 lines in the name block."""
    size = _NAME_MAX
    while size >= _NAME_MIN:
        lines = wrap(name, _measure(face, size), TEXT_W)
        block = (len(lines) - 1) * _NAME_PITCH * size + size
        if len(lines) <= 3 and block <= _NAME_BLOCK_MAX:
            return size, _balance(name, face, size, lines)
        size -= 0.5
    lines = wrap(name, _measure(face, _NAME_MIN), TEXT_W)
    if len(lines) > 3:  # only very wide Latin names get here; the validator caps length
        lines = [*lines[:2], _ellipsize(" ".join(lines[2:]), face, _NAME_MIN)]
    return _NAME_MIN, lines


def _balance(name: str, face: FontFace, size: float, lines: list[str]) -> list[str]:
    """Same number of lines, as even as possible: 8+7 characters, not 14+1."""
    if len(lines) < 2:
        return lines
    lo, hi = TEXT_W / len(lines), TEXT_W
    best = lines
    for _ in range(16):
        mid = (lo + hi) / 2
        trial = wrap(name, _measure(face, size), mid)
        if len(trial) <= len(lines):
            best, hi = trial, mid
        else:
            lo = mid
    return best


def _ellipsize(text: str, face: FontFace, size: float) -> str:
    while text and text_width(face, text + "…", size) > TEXT_W:
        text = text[:-1]
    return text + "…"


def _fit_size(face: FontFace, text: str, size: float, max_width: float) -> float:
    """`size`, or smaller so that one line of `text` fits `max_width`."""
    width = text_width(face, text, size)
    return size if width <= max_width else size * max_width / width


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Text:
    text: str
    cx: float  # centred on cx
    baseline: float
    size: float  # em size, mm
    bold: bool
    color: str


@dataclass(frozen=True)
class QR:
    x: float
    y: float
    size: float
    matrix: tuple[tuple[bool, ...], ...]


Op = Box | Text | QR


def layout(content: PosterContent, regular: FontFace, bold: FontFace) -> list[Op]:
    """The poster as drawing operations in millimetres, top to bottom."""
    labels = _LABELS[_locale_key(content.locale) or "zh"]
    cx = PAGE_W / 2
    ops: list[Op] = [
        Box(MARGIN, MARGIN, CONTENT_W, PAGE_H - 2 * MARGIN, stroke=GREEN, stroke_width=0.8),
        Box(MARGIN, MARGIN, CONTENT_W, _HEADER_H, fill=GREEN),
    ]
    title_size = _fit_size(bold, labels["title"], 13.0, TEXT_W)
    # Centre the ideographs in the band: their em box spans 0.88 above to 0.12 below.
    ops.append(
        Text(
            labels["title"], cx, MARGIN + _HEADER_H / 2 + 0.38 * title_size, title_size, True, WHITE
        )
    )

    y = MARGIN + _HEADER_H + 10
    name = " ".join(content.venue_name.split())
    size, lines = _fit_name(name, bold)
    for i, line in enumerate(lines):
        ops.append(Text(line, cx, y + i * _NAME_PITCH * size + _ASCENT * size, size, True, INK))
    y += (len(lines) - 1) * _NAME_PITCH * size + size + 5

    detail = " · ".join(p.strip() for p in (content.category_name, content.district) if p.strip())
    if detail:
        detail_size = _fit_size(regular, detail, 7.5, TEXT_W)
        ops.append(Text(detail, cx, y + _ASCENT * detail_size, detail_size, False, GREY))
        y += detail_size + 5

    if content.sub_area and content.sub_area.strip():
        area = labels["area"] + " ".join(content.sub_area.split())
        area_size = _fit_size(bold, area, 8.0, TEXT_W - 16)
        box_w = text_width(bold, area, area_size) + 16
        ops.append(Box(cx - box_w / 2, y, box_w, 13, fill=PALE, stroke=GREEN, stroke_width=0.6))
        ops.append(Text(area, cx, y + 6.5 + 0.38 * area_size, area_size, True, GREEN))
        y += 13 + 4

    footer_y = PAGE_H - MARGIN - _FOOTER_H
    id_text = labels["id"] + content.venue_id.strip()
    id_size = _fit_size(regular, id_text, 6.0, TEXT_W)
    # The QR and the id under it share the space left, centred in it.
    room = footer_y - 3 - y
    qr_size = min(_QR_MAX, CONTENT_W - 10, room - id_size - 2)
    top = y + (room - (qr_size + 2 + id_size)) / 2
    ops.append(QR(cx - qr_size / 2, top, qr_size, qr_matrix(content.url)))
    # The quiet zone already separates the id from the dark modules.
    ops.append(Text(id_text, cx, top + qr_size + _ASCENT * id_size, id_size, False, INK))

    ops.append(Box(MARGIN, footer_y, CONTENT_W, _FOOTER_H, fill=GREEN))
    instruction = labels["instruction"]
    ins_size = _fit_size(bold, instruction, 7.5, TEXT_W)
    ops.append(
        Text(instruction, cx, footer_y + _FOOTER_H / 2 + 0.38 * ins_size, ins_size, True, WHITE)
    )
    return ops


# ---------------------------------------------------------------- entry point


def render_poster(
    content: PosterContent,
    fmt: PosterFormat,
    font_path: Path | None = None,
    *,
    dpi: int = 300,
) -> bytes:
    """The poster as PNG, SVG or PDF bytes.

    `font_path` overrides the configured CJK font; `dpi` only affects PNG (tests use less).
    Raises ValueError for an unknown format and FontNotFound when no CJK font is usable.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown poster format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not 50 <= dpi <= 1200:
        raise ValueError(f"dpi {dpi} out of range 50-1200")
    regular = pick_face(find_cjk_font(font_path))
    bold = bold_face(regular)
    ops = layout(content, regular, bold)
    faces = {False: regular, True: bold}
    if fmt == "png":
        return _render_png(ops, faces, dpi)
    if fmt == "svg":
        return _render_svg(ops, faces, content)
    return _render_pdf(ops, faces, content)


# ---------------------------------------------------------------- PNG


@cache
def _pil_font(face: FontFace, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), size=size_px, index=face.index)


def _render_png(ops: list[Op], faces: dict[bool, FontFace], dpi: int) -> bytes:
    k = dpi / 25.4
    image = Image.new("RGB", (round(PAGE_W * k), round(PAGE_H * k)), WHITE)
    draw = ImageDraw.Draw(image)
    for op in ops:
        if isinstance(op, Box):
            draw.rectangle(
                (
                    round(op.x * k),
                    round(op.y * k),
                    round((op.x + op.w) * k) - 1,
                    round((op.y + op.h) * k) - 1,
                ),
                fill=op.fill,
                outline=op.stroke,
                width=max(1, round(op.stroke_width * k)) if op.stroke else 0,
            )
        elif isinstance(op, Text):
            font = _pil_font(faces[op.bold], round(op.size * k, 1))
            draw.text((op.cx * k, op.baseline * k), op.text, font=font, fill=op.color, anchor="ms")
        else:
            # Whole pixels per module: fractional modules blur edges the decoder relies on.
            n = len(op.matrix)
            module = max(1, int(op.size * k / n))
            x0 = round((op.x + op.size / 2) * k - n * module / 2)
            y0 = round((op.y + op.size / 2) * k - n * module / 2)
            for row, col, length in _dark_runs(op.matrix):
                draw.rectangle(
                    (
                        x0 + col * module,
                        y0 + row * module,
                        x0 + (col + length) * module - 1,
                        y0 + (row + 1) * module - 1,
                    ),
                    fill=QR_INK,
                )
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


# ---------------------------------------------------------------- SVG


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _outline(face: FontFace, op: Text) -> str:
    """SVG path data for the text as glyph outlines, in page millimetres."""
    font = _ttfont(face)
    scale = op.size / _units_per_em(face)
    x = op.cx - text_width(face, op.text, op.size) / 2
    with _FONT_LOCK:
        glyphs: Any = font.getGlyphSet()
        cmap = font.getBestCmap()
        pen = SVGPathPen(glyphs, ntos=_num)
        for ch in op.text:
            glyph = glyphs[cmap.get(ord(ch), ".notdef")]
            # Font units point up, SVG's y points down: flip around the baseline.
            glyph.draw(TransformPen(pen, (scale, 0, 0, -scale, x, op.baseline)))
            x += glyph.width * scale
        commands: str = pen.getCommands()
    return commands


def _render_svg(ops: list[Op], faces: dict[bool, FontFace], content: PosterContent) -> bytes:
    title = f"{_LABELS[_locale_key(content.locale) or 'zh']['title']} {content.venue_name}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(PAGE_W)}mm" '
        f'height="{_num(PAGE_H)}mm" viewBox="0 0 {_num(PAGE_W)} {_num(PAGE_H)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{_num(PAGE_W)}" height="{_num(PAGE_H)}" fill="{WHITE}"/>',
    ]
    for op in ops:
        if isinstance(op, Box):
            paint = f'fill="{op.fill or "none"}"'
            if op.stroke:
                paint += f' stroke="{op.stroke}" stroke-width="{_num(op.stroke_width)}"'
            parts.append(
                f'<rect x="{_num(op.x)}" y="{_num(op.y)}" width="{_num(op.w)}" '
                f'height="{_num(op.h)}" {paint}/>'
            )
        elif isinstance(op, Text):
            # aria-label keeps the words findable and readable by screen readers.
            parts.append(
                f'<path aria-label={quoteattr(op.text)} fill="{op.color}" '
                f'd="{_outline(faces[op.bold], op)}"/>'
            )
        else:
            module = op.size / len(op.matrix)
            d = "".join(f"M{c} {r}h{n}v1h-{n}z" for r, c, n in _dark_runs(op.matrix))
            parts.append(
                f'<path id="qr" data-url={quoteattr(content.url)} fill="{QR_INK}" '
                f'shape-rendering="crispEdges" transform="translate({_num(op.x)} {_num(op.y)}) '
                f'scale({module:.5f})" d="{d}"/>'
            )
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")


# ---------------------------------------------------------------- PDF


def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def subset_font(face: FontFace, text: str, folder: Path) -> Path:
    """A small font file holding only the glyphs of `text`.

    fpdf2 would otherwise parse the whole 20 MB CJK collection and subset it itself,
    five times slower; it embeds (and re-subsets) what we give it.
    """
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)  # not the shared copy
    options = subset.Options()
    # fpdf2 draws without shaping or vertical text: skip those tables, parsing them is slow.
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG"]
    options.drop_tables += ["BDF", "FFTM"]  # bitmaps and tool stamps (WenQuanYi)
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    target = folder / f"{face.path.stem}-{face.index}{'.otf' if 'CFF ' in font else '.ttf'}"
    font.save(str(target))
    font.close()
    return target


def _render_pdf(ops: list[Op], faces: dict[bool, FontFace], content: PosterContent) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import PathPaintRule

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("venuecode")
    pdf.set_title(f"场所码 {content.venue_name}")
    pdf.set_lang("en" if _locale_key(content.locale) == "en" else "zh-CN")
    has_bold = faces[True] != faces[False]
    texts = [op for op in ops if isinstance(op, Text)]
    with tempfile.TemporaryDirectory(prefix="venuecode-poster-") as folder:
        for bold, style in ((False, ""), (True, "B")):
            if bold and not has_bold:
                continue
            used = "".join(t.text for t in texts if t.bold == bold or not has_bold)
            pdf.add_font("cjk", style, str(subset_font(faces[bold], used, Path(folder))))
        pdf.add_page()
        for op in ops:
            if isinstance(op, Box):
                style = ("F" if op.fill else "") + ("D" if op.stroke else "")
                if op.fill:
                    pdf.set_fill_color(*_rgb(op.fill))
                if op.stroke:
                    pdf.set_draw_color(*_rgb(op.stroke))
                    pdf.set_line_width(op.stroke_width)
                pdf.rect(op.x, op.y, op.w, op.h, style=style)
            elif isinstance(op, Text):
                pdf.set_font("cjk", "B" if op.bold and has_bold else "", op.size * 72 / 25.4)
                pdf.set_text_color(*_rgb(op.color))
                pdf.text(op.cx - pdf.get_string_width(op.text) / 2, op.baseline, op.text)
            else:
                # One filled path of module rectangles: crisp at any size, and no hairline
                # seams between neighbouring modules as separate rectangles can show.
                module = op.size / len(op.matrix)
                with pdf.new_path(paint_rule=PathPaintRule.FILL_NONZERO) as path:
                    path.style.fill_color = QR_INK
                    for r, c, n in _dark_runs(op.matrix):
                        path.rectangle(op.x + c * module, op.y + r * module, n * module, module)
        # fpdf2 reads the font files while writing, so output inside the folder's life.
        return bytes(pdf.output())
