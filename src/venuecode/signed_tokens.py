"""Compact server-signed tokens: the framing venue codes and paper health codes share.

Layout (19 bytes, 26 characters of unpadded base64url, so a whole URL fits a low-density
QR that scans from two metres):

    version (1) | key id (1) | kind (1) | object id (4) | issue (2) | HMAC-SHA256[:10]

Each use signs under its own MAC domain, so a token of one use never passes as another's;
the 80-bit truncated MAC can only be attacked by online guessing. The caller turns a
`BadToken` into the refusal its users understand.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import struct
from dataclasses import dataclass

VERSION = 1
_BODY = struct.Struct(">BBBIH")
_MAC_BYTES = 10
TOKEN_BYTES = _BODY.size + _MAC_BYTES
_MAX_TEXT = 64  # longer text is never a token: refuse before decoding it


class Fault(enum.Enum):
    MALFORMED = "malformed"  # empty, too long or not base64url
    INCOMPLETE = "incomplete"  # decodes, but to the wrong number of bytes
    VERSION = "version"  # a layout this server does not know
    FORGED = "forged"  # another key id, or a MAC that does not check out


class BadToken(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.value)
        self.fault = fault


@dataclass(frozen=True, slots=True)
class TokenFields:
    key_id: int
    kind: int
    object_id: int
    issue: int


@dataclass(frozen=True, slots=True)
class TokenCodec:
    domain: bytes  # the MAC domain of this use, e.g. b"venuecode/code/v1"
    path: str  # the URL segment before the token, e.g. "/s/"

    def _mac(self, key: bytes, body: bytes) -> bytes:
        return hmac.new(key, self.domain + body, hashlib.sha256).digest()[:_MAC_BYTES]

    def sign(self, key: bytes, key_id: int, kind: int, object_id: int, issue: int) -> str:
        body = _BODY.pack(VERSION, key_id, kind, object_id, issue)
        return base64.urlsafe_b64encode(body + self._mac(key, body)).rstrip(b"=").decode("ascii")

    def extract(self, text: str) -> str:
        """Accept a bare token or a full URL (…{path}TOKEN, with or without a query)."""
        value = text.strip()
        if self.path in value:
            value = value.rsplit(self.path, 1)[1]
        return value.split("?", 1)[0].split("#", 1)[0].strip("/")

    def read(self, key: bytes, key_id: int, text: str) -> TokenFields:
        """The fields of a token (or URL) signed with `key`; raise `BadToken` saying why not."""
        token = self.extract(text)
        if not token or len(token) > _MAX_TEXT:
            raise BadToken(Fault.MALFORMED)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise BadToken(Fault.MALFORMED) from None
        if len(raw) != TOKEN_BYTES:
            raise BadToken(Fault.INCOMPLETE)
        body, mac = raw[: _BODY.size], raw[_BODY.size:]
        version, token_key_id, kind, object_id, issue = _BODY.unpack(body)
        if version != VERSION:
            raise BadToken(Fault.VERSION)
        if token_key_id != key_id or not hmac.compare_digest(mac, self._mac(key, body)):
            raise BadToken(Fault.FORGED)
        return TokenFields(token_key_id, kind, object_id, issue)
