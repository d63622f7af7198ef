"""The proof keys: the one Ed25519 key that signs, and every key that still verifies.

A key id (`kid`) is the first 8 characters of the key's RFC 7638 JWK thumbprint, so it
follows from the key itself: no second setting to keep in step, and the same id on
every server. The verifying keys are the signing key plus `VENUECODE_PROOF_PREVIOUS_KEYS`,
so a proof signed just before a rotation verifies until it expires. All of them are
published as a JWK set (`jwks`), which is all a venue's own device needs to verify offline.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from venuecode.config import PUBLIC_KEY_PREFIX, Settings, decode_key_bytes

KID_CHARS = 8


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint (members in lexicographic order, no spaces), shortened."""
    canonical = f'{{"crv":"Ed25519","kty":"OKP","x":"{b64url(public_bytes(key))}"}}'
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())[:KID_CHARS]


def new_private_key_text() -> str:
    """A fresh key as VENUECODE_PROOF_SIGNING_KEY takes it (base64 of the 32-byte seed)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                       NoEncryption())
    return base64.b64encode(seed).decode("ascii")


def _public_of(entry: str) -> Ed25519PublicKey:
    """A VENUECODE_PROOF_PREVIOUS_KEYS entry: a private key, or `public:` and its x."""
    if entry.startswith(PUBLIC_KEY_PREFIX):
        raw = decode_key_bytes(entry.removeprefix(PUBLIC_KEY_PREFIX))
        assert raw is not None  # the settings validator checked the shape
        return Ed25519PublicKey.from_public_bytes(raw)
    raw = decode_key_bytes(entry)
    assert raw is not None
    return Ed25519PrivateKey.from_private_bytes(raw).public_key()


@dataclass(frozen=True)
class ProofKeys:
    signing: Ed25519PrivateKey
    kid: str
    seconds: int  # how long a proof verifies
    verifying: dict[str, Ed25519PublicKey] = field(default_factory=dict)  # kid -> key

    @classmethod
    def from_seed(cls, seed: bytes, seconds: int, previous: tuple[str, ...] = ()) -> ProofKeys:
        signing = Ed25519PrivateKey.from_private_bytes(seed)
        kid = key_id(signing.public_key())
        verifying = {kid: signing.public_key()}
        for entry in previous:
            public = _public_of(entry)
            verifying.setdefault(key_id(public), public)
        return cls(signing, kid, seconds, verifying)

    @classmethod
    def from_settings(cls, settings: Settings) -> ProofKeys:
        return cls.from_seed(settings.proof_seed(), settings.proof_seconds,
                             settings.proof_previous_keys)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys as a JWK set (RFC 8037 OKP keys), the signing key first."""
        return {"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                          "kid": kid, "x": b64url(public_bytes(key))}
                         for kid, key in self.verifying.items()]}
