import base64

import pytest

from venuecode.venues.tokens import CodeKind, CodeRefused, extract_token, sign_code, verify_venue_code

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def test_a_signed_token_verifies_to_its_claims() -> None:
    token = sign_code(KEY, 1, CodeKind.VENUE, 123456, 7)
    claims = verify_venue_code(KEY, 1, token)
    assert (claims.kind, claims.object_id, claims.issue) == (CodeKind.VENUE, 123456, 7)


def test_a_token_is_compact_enough_for_a_low_density_qr() -> None:
    token = sign_code(KEY, 1, CodeKind.SUB_AREA, 2**32 - 1, 65535)
    assert len(token) <= 26
    assert all(c.isalnum() or c in "-_" for c in token)


def test_the_full_code_url_is_accepted_as_well_as_the_bare_token() -> None:
    token = sign_code(KEY, 1, CodeKind.VENUE, 5, 1)
    assert extract_token(f"https://vc.example.gov.cn/s/{token}?from=wechat") == token
    assert verify_venue_code(KEY, 1, f"https://vc.example.gov.cn/s/{token}").object_id == 5


@pytest.mark.parametrize("position", range(19))
def test_changing_any_byte_of_a_token_is_refused_as_forged(position: int) -> None:
    token = sign_code(KEY, 1, CodeKind.VENUE, 42, 1)
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    raw[position] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(CodeRefused) as info:
        verify_venue_code(KEY, 1, tampered)
    assert info.value.code in {"code_forged", "code_version", "code_malformed"}


def test_a_token_from_another_deployment_is_refused_as_not_issued_here() -> None:
    token = sign_code(OTHER_KEY, 1, CodeKind.VENUE, 42, 1)
    with pytest.raises(CodeRefused) as info:
        verify_venue_code(KEY, 1, token)
    assert info.value.code == "code_forged"
    assert "not issued by this system" in info.value.message_en


def test_a_truncated_token_is_refused_as_incomplete() -> None:
    token = sign_code(KEY, 1, CodeKind.VENUE, 42, 1)
    with pytest.raises(CodeRefused) as info:
        verify_venue_code(KEY, 1, token[:-4])
    assert info.value.code == "code_incomplete"


@pytest.mark.parametrize("garbage", ["", "!!!!", "x" * 200, "https://evil.example/s/", "%00"])
def test_garbage_is_refused_as_not_a_venue_code(garbage: str) -> None:
    with pytest.raises(CodeRefused) as info:
        verify_venue_code(KEY, 1, garbage)
    assert info.value.code in {"code_malformed", "code_incomplete"}
