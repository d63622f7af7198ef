"""A scan result's proof (防伪核验): a compact JWS (RFC 7515) signed with Ed25519.

    base64url({"alg":"EdDSA","kid":…}) . base64url(claims) . base64url(signature)

The claims say only what the guard at the door may see: the verdict, the venue (id and
name), the scan time, the expiry and the person masked as on the result page (张*三,
3301**********1234). No health detail beyond the verdict, no full ID number. A standard
JWS so a venue's own device verifies it with any JOSE library, or with a few lines of
plain Ed25519 code, against the published key set (`keys.ProofKeys.jwks`); about 300
characters, a QR of version 10-12 at level L.

Every refusal is a `ProofRefused` (422) with its own code; a proof's signature is checked
before anything it claims is believed, so a forged one never reads as merely expired.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from cryptography.exceptions import InvalidSignature

from venuecode.errors import InvalidInput
from venuecode.proofs.keys import ProofKeys, b64url

MAX_PROOF_CHARS = 1024  # a real proof is ~300; anything longer is refused unread
MAX_VENUE_NAME = 40  # characters of the venue name a proof carries (its id is exact)
Verdict = Literal["pass", "deny"]


class ProofRefused(InvalidInput):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(code, zh, en, field="proof")


def _malformed() -> ProofRefused:
    return ProofRefused("proof_malformed", "核验码格式不正确：这不是本系统的核验码，请重新扫描。",
                        "The proof is malformed: not a venuecode proof; scan it again.")


def _forged() -> ProofRefused:
    return ProofRefused("proof_forged", "核验失败：核验码的签名不正确，可能被伪造或篡改。禁止凭此通行。",
                        "Verification failed: the proof's signature is wrong (forged or "
                        "altered). Do not let the person in on it.")


def _unknown_key() -> ProofRefused:
    return ProofRefused("proof_unknown_key", "核验失败：核验码由未知的密钥签发，可能被伪造。禁止凭此通行。",
                        "Verification failed: the proof names a key this service does not "
                        "know (forged, or from elsewhere).")


def _expired() -> ProofRefused:
    return ProofRefused("proof_expired", "核验码已过期：请让对方重新扫描场所码，出示新的结果。",
                        "The proof has expired: ask the person to scan the venue code again "
                        "and show the new result.")


@dataclass(frozen=True, slots=True)
class ProofClaims:
    verdict: Verdict
    venue_id: str
    venue_name: str
    sub_area: str | None
    scanned_at: datetime
    expires_at: datetime
    name: str | None  # masked
    id_number: str  # masked
    kid: str

    def as_json(self) -> dict[str, Any]:
        return {"decision": self.verdict, "venue": {"venue_id": self.venue_id,
                                                    "name": self.venue_name,
                                                    "sub_area": self.sub_area},
                "scanned_at": self.scanned_at.isoformat(),
                "expires_at": self.expires_at.isoformat(),
                "person": {"name": self.name, "id_number": self.id_number}, "kid": self.kid}


def _short(name: str) -> str:
    return name if len(name) <= MAX_VENUE_NAME else name[: MAX_VENUE_NAME - 1] + "…"


def sign_proof(keys: ProofKeys, verdict: Verdict, venue_id: str, venue_name: str,
               sub_area: str | None, scanned_at: datetime, now: datetime,
               masked_name: str | None, masked_id: str) -> str:
    """The proof of one scan's result; valid `keys.seconds` from `now`. The person must
    come masked: this never sees a full ID number."""
    header = b64url(orjson.dumps({"alg": "EdDSA", "kid": keys.kid}))
    claims: dict[str, Any] = {"v": verdict, "vid": venue_id, "vn": _short(venue_name),
                              "at": int(scanned_at.timestamp()),
                              "exp": int(now.timestamp()) + keys.seconds, "id": masked_id}
    if sub_area:
        claims["sa"] = _short(sub_area)
    if masked_name:
        claims["n"] = masked_name
    signing_input = f"{header}.{b64url(orjson.dumps(claims))}"
    return f"{signing_input}.{b64url(keys.signing.sign(signing_input.encode('ascii')))}"


def _unb64(part: str) -> bytes:
    if not part or "=" in part:
        raise _malformed()
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise _malformed() from None


def _json(part: str) -> dict[str, Any]:
    try:
        value = orjson.loads(_unb64(part))
    except orjson.JSONDecodeError:
        raise _malformed() from None
    if not isinstance(value, dict):
        raise _malformed()
    return value


def _text(claims: dict[str, Any], key: str, optional: bool = False) -> str | None:
    value = claims.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > 200:
        raise _malformed()
    return value


def _instant(claims: dict[str, Any], key: str) -> datetime:
    value = claims.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**33:
        raise _malformed()
    return datetime.fromtimestamp(value, UTC)


def read_proof(keys: ProofKeys, text: str, now: datetime) -> ProofClaims:
    """The claims of a proof signed by a key of `keys` and not yet expired at `now`;
    raise `ProofRefused` saying why not."""
    proof = text.strip()
    if not proof or len(proof) > MAX_PROOF_CHARS or not proof.isascii():
        raise _malformed()
    parts = proof.split(".")
    if len(parts) != 3:
        raise _malformed()
    header = _json(parts[0])
    kid = header.get("kid")
    if header.get("alg") != "EdDSA" or not isinstance(kid, str):
        raise _malformed()
    key = keys.verifying.get(kid)
    if key is None:
        raise _unknown_key()
    signature = _unb64(parts[2])
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise _forged() from None
    claims = _json(parts[1])  # signed by us from here on: shape faults are a format change
    verdict = claims.get("v")
    if verdict not in ("pass", "deny"):
        raise _malformed()
    expires_at = _instant(claims, "exp")
    if now >= expires_at:
        raise _expired()
    venue_id, venue_name, id_number = (_text(claims, k) for k in ("vid", "vn", "id"))
    assert venue_id is not None and venue_name is not None and id_number is not None
    return ProofClaims(verdict, venue_id, venue_name, _text(claims, "sa", optional=True),
                       _instant(claims, "at"), expires_at, _text(claims, "n", optional=True),
                       id_number, kid)
