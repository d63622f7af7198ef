"""The help-scan page's reasons speak about the helped person, never to them."""

from __future__ import annotations

import string

import pytest

from venuecode.policy.helped_reasons import HELPED_TEXTS, helped_message
from venuecode.policy.reasons import CATALOGUE, reason


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_reason_has_a_third_person_text_with_the_same_placeholders() -> None:
    assert set(HELPED_TEXTS) == set(CATALOGUE)
    for code, (zh, en) in HELPED_TEXTS.items():
        spec = CATALOGUE[code]
        assert _fields(zh) == _fields(spec.zh) and _fields(en) == _fields(spec.en), code


@pytest.mark.parametrize("code", sorted(HELPED_TEXTS))
def test_no_text_addresses_the_reader_or_sends_them_to_help_scan(code: str) -> None:
    zh, en = HELPED_TEXTS[code]
    assert "您" not in zh and "帮扫" not in zh
    assert "your" not in en.lower() and "help-scan" not in en.lower()


def test_details_and_the_note_are_filled_as_in_the_catalogue() -> None:
    r = reason("risk_area_high", note="市疾控", days=14, cities="上海市")
    zh = helped_message(r.code, r.details, "zh")
    assert zh.startswith("此人近14天到过高风险地区（上海市）") and zh.endswith("（原因：市疾控）")
    assert "this person was in a high-risk area (上海市)" in helped_message(r.code, r.details, "en")
