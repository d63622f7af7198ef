"""Proofs of scan results (防伪核验): signed, short-lived, rotatable, verifiable offline."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from venuecode.clock import FixedClock
from venuecode.proofs.codec import ProofRefused, read_proof, sign_proof
from venuecode.proofs.keys import ProofKeys, key_id

START = datetime(2022, 4, 19, 8, 0, tzinfo=UTC)


def seed_text() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def keys_of(text: str, previous: tuple[str, ...] = (), seconds: int = 60) -> ProofKeys:
    return ProofKeys.from_seed(base64.b64decode(text), seconds, previous)


def proof(keys: ProofKeys, clock: FixedClock, verdict: str = "pass") -> str:
    return sign_proof(keys, verdict, "HZ-XH-0001", "文三路农贸市场", "二楼", clock.now(),  # type: ignore[arg-type]
                      clock.now(), "张*三", "3301**********1234")


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def refusal(keys: ProofKeys, text: str, now: datetime) -> str:
    with pytest.raises(ProofRefused) as info:
        read_proof(keys, text, now)
    assert info.value.status == 422 and info.value.details == {"field": "proof"}
    assert info.value.message_zh and info.value.message_en
    return info.value.code


def test_a_proof_round_trips_with_only_what_a_guard_may_see() -> None:
    clock, keys = FixedClock(START), keys_of(seed_text())
    text = proof(keys, clock, "deny")
    claims = read_proof(keys, text, clock.now())
    assert (claims.verdict, claims.venue_id, claims.venue_name, claims.sub_area) == (
        "deny", "HZ-XH-0001", "文三路农贸市场", "二楼")
    assert claims.scanned_at == START and claims.expires_at == START + timedelta(seconds=60)
    assert (claims.name, claims.id_number, claims.kid) == ("张*三", "3301**********1234", keys.kid)
    header, payload, _ = text.split(".")
    assert json.loads(unb64(header)) == {"alg": "EdDSA", "kid": keys.kid}
    # Nothing but the verdict of the health facts, and the person masked.
    assert set(json.loads(unb64(payload))) == {"v", "vid", "vn", "sa", "at", "exp", "n", "id"}
    assert len(text) < 400  # a small QR


def test_a_tampered_payload_or_signature_is_forged() -> None:
    clock, keys = FixedClock(START), keys_of(seed_text())
    header, payload, signature = proof(keys, clock, "deny").split(".")
    claims = json.loads(unb64(payload))
    claims["v"] = "pass"  # the attack: turn a deny into a pass
    assert refusal(keys, f"{header}.{b64(json.dumps(claims).encode())}.{signature}",
                   clock.now()) == "proof_forged"
    flipped = bytearray(unb64(signature))
    flipped[0] ^= 1
    assert refusal(keys, f"{header}.{payload}.{b64(bytes(flipped))}", clock.now()) == "proof_forged"
    # Signed by a key of the same id but another secret: the signature decides.
    other = proof(keys_of(seed_text()), clock).split(".")
    assert refusal(keys, f"{header}.{other[1]}.{other[2]}", clock.now()) == "proof_forged"


@pytest.mark.parametrize("text", ["", "abc", "a.b", "a.b.c.d", "x" * 2000, "é.é.é",
                                  "eyJhbGciOiJub25lIn0.e30.", "e30.e30.e30", "!!!.!!!.!!!",
                                  "WzFd.e30.e30"])
def test_malformed_text_is_refused_as_malformed(text: str) -> None:
    assert refusal(keys_of(seed_text()), text, START) == "proof_malformed"


def test_an_expired_proof_is_refused_as_expired() -> None:
    clock, keys = FixedClock(START), keys_of(seed_text(), seconds=60)
    text = proof(keys, clock)
    clock.advance(timedelta(seconds=59))
    assert read_proof(keys, text, clock.now()).verdict == "pass"
    clock.advance(timedelta(seconds=1))
    assert refusal(keys, text, clock.now()) == "proof_expired"


def test_an_unknown_key_id_is_refused() -> None:
    clock = FixedClock(START)
    text = proof(keys_of(seed_text()), clock)
    assert refusal(keys_of(seed_text()), text, clock.now()) == "proof_unknown_key"


@pytest.mark.parametrize("as_public", [False, True])
def test_after_a_rotation_old_proofs_verify_until_they_expire(as_public: bool) -> None:
    clock = FixedClock(START)
    old_text = seed_text()
    old = keys_of(old_text)
    old_proof = proof(old, clock)
    clock.advance(timedelta(seconds=30))  # the key is rotated 30 s after that scan
    previous = f"public:{old.jwks()['keys'][0]['x']}" if as_public else old_text
    new = keys_of(seed_text(), previous=(previous,))
    assert new.kid != old.kid and set(new.verifying) == {new.kid, old.kid}
    assert [k["kid"] for k in new.jwks()["keys"]] == [new.kid, old.kid]
    assert read_proof(new, old_proof, clock.now()).kid == old.kid
    new_proof = proof(new, clock)
    assert read_proof(new, new_proof, clock.now()).kid == new.kid
    assert refusal(old, new_proof, clock.now()) == "proof_unknown_key"
    clock.advance(timedelta(seconds=30))  # the old proof's 60 s are over
    assert refusal(new, old_proof, clock.now()) == "proof_expired"
    # Once the previous key is removed, it is unknown.
    assert refusal(keys_of(seed_text()), old_proof, clock.now()) == "proof_unknown_key"


def test_the_published_key_set_verifies_a_proof_with_plain_cryptography() -> None:
    """What a venue's own device does offline: the JWK set and a few lines of Ed25519."""
    clock, keys = FixedClock(START), keys_of(seed_text())
    jwks = json.loads(json.dumps(keys.jwks()))  # as fetched
    text = proof(keys, clock)

    header_b64, payload_b64, signature_b64 = text.split(".")
    header = json.loads(unb64(header_b64))
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    public = Ed25519PublicKey.from_public_bytes(unb64(jwk["x"]))
    public.verify(unb64(signature_b64), f"{header_b64}.{payload_b64}".encode())
    claims = json.loads(unb64(payload_b64))
    assert claims["v"] == "pass" and claims["exp"] > clock.now().timestamp()
    with pytest.raises(InvalidSignature):
        public.verify(unb64(signature_b64), f"{header_b64}.{payload_b64}x".encode())
    # The kid is the key's RFC 7638 thumbprint, shortened: a device can recompute it.
    assert key_id(public) == header["kid"]


def test_a_long_venue_name_is_shortened_in_the_proof_only() -> None:
    clock, keys = FixedClock(START), keys_of(seed_text())
    text = sign_proof(keys, "pass", "V1", "长" * 100, None, clock.now(), clock.now(), None, "33**")
    claims = read_proof(keys, text, clock.now())
    assert claims.venue_name == "长" * 39 + "…" and claims.sub_area is None and claims.name is None


def test_keys_proof_new_prints_a_key_the_settings_take() -> None:
    from typer.testing import CliRunner

    from venuecode.cli.main import app
    from venuecode.config import Settings

    result = CliRunner().invoke(app, ["keys", "proof-new"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("VENUECODE_PROOF_SIGNING_KEY="))
    value = line.split("=", 1)[1]
    settings = Settings(_env_file=None, environment="test", proof_signing_key=value)  # type: ignore[call-arg, arg-type]
    keys = ProofKeys.from_settings(settings)
    assert base64.b64decode(value) == settings.proof_seed() and len(keys.kid) == 8
    second = CliRunner().invoke(app, ["keys", "proof-new"]).stdout
    assert value not in second  # fresh every time
