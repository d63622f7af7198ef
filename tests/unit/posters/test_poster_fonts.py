"""Font discovery: the setting first, then known Debian paths, and a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from venuecode.config import Settings, set_settings
from venuecode.venues import fonts
from venuecode.venues.fonts import FontNotFound, find_cjk_font, pick_face

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.fixture(autouse=True)
def no_configured_font() -> Iterator[None]:
    set_settings(Settings(cjk_font=None))
    yield
    set_settings(None)


def test_nothing_installed_lists_the_paths_tried_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "KNOWN_CJK_FONTS", (tmp_path / "a.ttc", tmp_path / "b.otf"))
    with pytest.raises(FontNotFound) as caught:
        find_cjk_font()
    message = str(caught.value)
    assert str(tmp_path / "a.ttc") in message and str(tmp_path / "b.otf") in message
    assert "VENUECODE_CJK_FONT" in message and "fonts-noto-cjk" in message


def test_an_explicit_missing_font_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(FontNotFound, match="does not exist"):
        find_cjk_font(tmp_path / "missing.ttf")


def test_a_file_that_is_not_a_font_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font")
    with pytest.raises(FontNotFound, match="cannot be read"):
        find_cjk_font(junk)


def test_the_setting_wins_over_known_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    if not WQY.is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    set_settings(Settings(cjk_font=WQY))
    assert find_cjk_font() == WQY


def test_known_paths_are_tried_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if not WQY.is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    monkeypatch.setattr(fonts, "KNOWN_CJK_FONTS", (tmp_path / "gone.ttc", WQY))
    assert find_cjk_font() == WQY


def test_noto_collection_uses_the_simplified_chinese_face() -> None:
    if not NOTO.is_file():
        pytest.skip("fonts-noto-cjk not installed")
    face = pick_face(NOTO)
    assert face.index == 2  # JP, KR, SC, TC, HK, then the Mono faces
