"""Find a CJK font for posters, and the right face inside a font collection.

Posters are printed from servers that have no desktop font set-up, so we look in the
places Debian packages put CJK fonts rather than asking fontconfig.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

# Most preferred first. Noto CJK is the best-drawn and has a Bold weight; WenQuanYi and
# AR PL are older but TrueType-outlined, so every PDF tool copes with them.
KNOWN_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
    Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
)

# Characters every poster prints; a font without them is not a CJK font for our purpose.
_PROBE = "场所码扫"


class FontNotFound(RuntimeError):
    """No usable CJK font; the message lists the paths tried and how to fix it."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: `index` is the face number inside a .ttc collection."""

    path: Path
    index: int = 0


def find_cjk_font(preferred: Path | None = None) -> Path:
    """The CJK font to draw posters with.

    Order: `preferred`, then the `cjk_font` setting (VENUECODE_CJK_FONT), then the known
    Debian paths. A font that was asked for explicitly but is missing or has no Chinese
    glyphs is an error, not silently replaced: a typo in the setting should be noticed.
    """
    explicit = preferred if preferred is not None else _configured_font()
    if explicit is not None:
        problem = _unusable(explicit)
        if problem:
            raise FontNotFound(
                f"CJK font {explicit} {problem}. Point VENUECODE_CJK_FONT at a font with "
                "Chinese glyphs, or unset it and `apt-get install fonts-noto-cjk`."
            )
        return explicit
    for path in KNOWN_CJK_FONTS:
        if not _unusable(path):
            return path
    tried = "\n  ".join(str(p) for p in KNOWN_CJK_FONTS)
    raise FontNotFound(
        "No CJK font found for posters. Tried:\n  "
        f"{tried}\n"
        "Install one (`apt-get install fonts-noto-cjk`, or fonts-wqy-zenhei) or set "
        "VENUECODE_CJK_FONT to the path of a .ttc/.otf/.ttf font with Chinese glyphs."
    )


def _configured_font() -> Path | None:
    # Imported late so that rendering with an explicit font never needs settings.
    from venuecode.config import get_settings

    return get_settings().cjk_font


def _unusable(path: Path) -> str | None:
    """Why `path` cannot be used, or None when it can."""
    if not path.is_file():
        return "does not exist"
    try:
        face = pick_face(path)
        cmap = _cmap(face.path, face.index)
    except Exception as exc:  # fontTools raises many kinds on a non-font file
        return f"cannot be read as a font ({exc})"
    if not all(ord(ch) in cmap for ch in _PROBE):
        return "has no Chinese glyphs"
    return None


@cache
def pick_face(path: Path) -> FontFace:
    """The face to use: in a collection, the Simplified Chinese one and not a monospace one.

    Noto's .ttc holds JP, KR, SC, TC, HK faces in that order; the JP face would draw
    Japanese forms of shared ideographs, which look wrong to Chinese readers.
    """
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return FontFace(path, 0)
    collection = TTCollection(str(path), lazy=True)
    names = [_family_name(font) for font in collection.fonts]
    collection.close()

    def score(item: tuple[int, str]) -> tuple[int, int]:
        _, name = item
        simplified = " SC" in name or name.endswith("SC") or "GB" in name
        return (0 if simplified else 1, 1 if "mono" in name.lower() else 0)

    best, _ = min(enumerate(names), key=lambda item: (*score(item), item[0]))
    return FontFace(path, best)


def bold_face(regular: FontFace) -> FontFace:
    """The Bold sibling of a Noto-style font file if installed, else the font itself."""
    name = regular.path.name
    if "Regular" in name:
        sibling = regular.path.with_name(name.replace("Regular", "Bold"))
        if sibling.is_file():
            return pick_face(sibling)
    return regular


def _family_name(font: TTFont) -> str:
    name = font["name"].getDebugName(4) or font["name"].getDebugName(1) or ""
    return str(name)


@cache
def _cmap(path: Path, index: int) -> frozenset[int]:
    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
