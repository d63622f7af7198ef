"""The shared token codec: formats stay as they were, every altered byte is refused."""

from __future__ import annotations

import base64

import pytest

from venuecode.assist.paper_codes import PaperCodeRefused, PaperKey, sign_paper_token, verify_paper_token
from venuecode.signed_tokens import TOKEN_BYTES, BadToken, Fault, TokenCodec
from venuecode.venues import tokens
from venuecode.venues.tokens import CodeKind, CodeRefused, sign_code

KEY = b"golden-key-0123456789"
PAPER = PaperKey(KEY, 3, "https://vc.example.gov.cn")
# Printed on posters and cards before the codec was shared: they must keep verifying.
VENUE_TOKEN = "AQMAAAHiQAAH3zAl4hj6ubEVuw"  # venue 123456, issue 7, key id 3
SUB_AREA_TOKEN = "AQMB________w_5nqbd48hbBVQ"  # sub-area 2**32-1, issue 65535
PAPER_TOKEN = "AQMCAAAAKgACy0bKMIsPyR_UgQ"  # paper code 42, issue 2


def test_tokens_signed_before_the_shared_codec_still_verify_and_sign_the_same() -> None:
    venue = tokens.verify_venue_code(KEY, 3, VENUE_TOKEN)
    assert (venue.kind, venue.object_id, venue.issue, venue.key_id) == (CodeKind.VENUE, 123456, 7, 3)
    area = tokens.verify_venue_code(KEY, 3, SUB_AREA_TOKEN)
    assert (area.kind, area.object_id, area.issue) == (CodeKind.SUB_AREA, 2**32 - 1, 65535)
    assert verify_paper_token(PAPER, PAPER.url(PAPER_TOKEN)) == (42, 2)
    assert sign_code(KEY, 3, CodeKind.VENUE, 123456, 7) == VENUE_TOKEN
    assert sign_code(KEY, 3, CodeKind.SUB_AREA, 2**32 - 1, 65535) == SUB_AREA_TOKEN
    assert sign_paper_token(PAPER, 42, 2) == PAPER_TOKEN


def _flipped(token: str, position: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[position] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize("position", range(TOKEN_BYTES))
def test_flipping_any_byte_of_a_venue_code_is_refused(position: int) -> None:
    with pytest.raises(CodeRefused) as info:
        tokens.verify_venue_code(KEY, 3, _flipped(VENUE_TOKEN, position))
    assert info.value.code == ("code_version" if position == 0 else "code_forged")


@pytest.mark.parametrize("position", range(TOKEN_BYTES))
def test_flipping_any_byte_of_a_paper_code_is_refused(position: int) -> None:
    with pytest.raises(PaperCodeRefused) as info:
        verify_paper_token(PAPER, _flipped(PAPER_TOKEN, position))
    assert info.value.code == "paper_code_invalid"


def test_a_venue_code_never_passes_as_a_paper_code_nor_the_other_way_round() -> None:
    with pytest.raises(PaperCodeRefused):
        verify_paper_token(PAPER, VENUE_TOKEN)
    with pytest.raises(CodeRefused) as info:
        tokens.verify_venue_code(KEY, 3, PAPER_TOKEN)
    assert info.value.code == "code_forged"


def test_a_paper_kind_signed_as_a_venue_code_is_not_a_venue_code() -> None:
    # A valid MAC, but a kind venue codes do not have.
    with pytest.raises(CodeRefused) as info:
        tokens.verify_venue_code(KEY, 3, tokens.CODEC.sign(KEY, 3, 2, 1, 1))
    assert info.value.code == "code_malformed"


@pytest.mark.parametrize(("text", "fault"), [
    ("", Fault.MALFORMED), ("x" * 65, Fault.MALFORMED), ("A", Fault.MALFORMED),
    ("AQMAAAHi", Fault.INCOMPLETE), (VENUE_TOKEN + "AAAA", Fault.INCOMPLETE),
])
def test_the_codec_says_why_text_is_not_a_token(text: str, fault: Fault) -> None:
    with pytest.raises(BadToken) as info:
        TokenCodec(b"venuecode/code/v1", "/s/").read(KEY, 3, text)
    assert info.value.fault is fault


def test_the_codec_reads_a_token_inside_its_url_only_after_its_own_path() -> None:
    codec = TokenCodec(b"venuecode/code/v1", "/s/")
    assert codec.extract(f"https://vc.example.gov.cn/s/{VENUE_TOKEN}/?from=wechat#x") == VENUE_TOKEN
    assert codec.read(KEY, 3, f"https://vc.example.gov.cn/s/{VENUE_TOKEN}").object_id == 123456
