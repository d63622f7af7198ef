"""The printable paper health code: a credit-card-size PDF (85.6 x 54 mm) with the QR.

The card prints only a masked name and ID number for the holder to recognise it, and
never a colour: the colour is looked up when the QR is scanned. fpdf2 draws with a subset
of the CJK font found by `venues/fonts.py`, as the venue posters do.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from venuecode.venues.fonts import find_cjk_font, pick_face
from venuecode.venues.poster import qr_matrix, subset_font

CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, fits a wallet and a card sleeve
QR_SIZE = 46.0  # mm including the quiet zone; modules stay ~1 mm for cheap printers
_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class CardContent:
    url: str
    masked_name: str
    masked_id: str
    issue: int
    issued_at: datetime


def _lines(content: CardContent) -> list[tuple[str, float, float]]:
    """(text, size in mm, baseline y in mm) for the right-hand column."""
    return [
        ("健康码（代办卡）", 3.6, 9.0),
        (content.masked_name, 4.6, 17.0),
        (content.masked_id, 2.7, 22.5),
        (f"第{content.issue}版 · {content.issued_at:%Y-%m-%d}签发", 2.3, 28.0),
        ("扫码查看实时健康码颜色", 2.3, 36.0),
        ("本卡不显示颜色，以扫码结果为准", 2.0, 40.5),
        ("遗失请挂失补办，旧卡作废", 2.0, 44.5),
    ]


def render_card_pdf(content: CardContent, font_path: Path | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import PathPaintRule

    face = pick_face(find_cjk_font(font_path))
    lines = _lines(content)
    pdf = FPDF(orientation="L", unit="mm", format=(CARD_H, CARD_W))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("venuecode")
    pdf.set_title("健康码（代办卡）")
    with tempfile.TemporaryDirectory(prefix="venuecode-card-") as folder:
        used = "".join(text for text, _, _ in lines) + "0123456789*X-·第版签发"
        pdf.add_font("cjk", "", str(subset_font(face, used, Path(folder))))
        pdf.add_page()
        pdf.set_draw_color(11, 107, 58)
        pdf.set_line_width(0.6)
        pdf.rect(1.0, 1.0, CARD_W - 2, CARD_H - 2, style="D")
        matrix = qr_matrix(content.url)
        module = QR_SIZE / len(matrix)
        x0, y0 = 3.0, (CARD_H - QR_SIZE) / 2
        with pdf.new_path(paint_rule=PathPaintRule.FILL_NONZERO) as path:
            path.style.fill_color = "#000000"
            for r, row in enumerate(matrix):
                c = 0
                while c < len(row):  # one rectangle per horizontal run: no seams
                    if not row[c]:
                        c += 1
                        continue
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    path.rectangle(x0 + start * module, y0 + r * module,
                                   (c - start) * module, module)
        pdf.set_text_color(17, 17, 17)
        for text, size, baseline in lines:
            pdf.set_font("cjk", "", size * _PT_PER_MM)
            pdf.text(x0 + QR_SIZE + 1.5, baseline, text)
        return bytes(pdf.output())
