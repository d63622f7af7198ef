"""The access-log words of a gate device name the venue and the device, in both languages."""

from __future__ import annotations

import pytest

from venuecode.audit.words import ACTION_PARAMS, described
from venuecode.web.i18n import translations


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_word_with_blanks_fills_them_in_each_language(locale: str) -> None:
    tr = translations(locale)
    for action in ACTION_PARAMS:
        text = described(tr.gettext, action.value, {"venue": "文三路站", "device": "东门1号"})
        assert "文三路站" in text and "东门1号" in text and "%(" not in text, (locale, action)
    # A detail missing from an old event does not break the log.
    assert "?" in described(tr.gettext, "gate.uploaded", {})


def test_the_chinese_words_read_as_the_issue_asks() -> None:
    zh = translations("zh")
    assert described(zh.gettext, "gate.uploaded", {"venue": "X", "device": "Y"}) == \
        "场所“X”的闸机“Y”上传了您的入场记录"
