"""Venue code tokens: compact, versioned, signed by the server.

Layout (19 bytes, 26 characters of base64url, so the whole URL fits a low-density QR
that scans from two metres):

    version (1) | key id (1) | kind (1) | object id (4) | issue (2) | HMAC-SHA256[:10]

`kind` is 0 for a venue and 1 for a sub-area; `issue` is the venue's (or sub-area's)
issue number, bumped on re-issue so older posters stop working. The 80-bit truncated
HMAC can only be attacked by online guessing against this server. A token signed by
another deployment fails the MAC check like a forged one.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import struct
from dataclasses import dataclass

from venuecode.errors import InvalidInput

VERSION = 1
_BODY = struct.Struct(">BBBIH")
_MAC_BYTES = 10
TOKEN_BYTES = _BODY.size + _MAC_BYTES


class CodeKind(enum.IntEnum):
    VENUE = 0
    SUB_AREA = 1


@dataclass(frozen=True)
class CodeClaims:
    kind: CodeKind
    object_id: int
    issue: int
    key_id: int


class CodeRefused(InvalidInput):
    """A venue code that cannot be used; the message tells the citizen what to do."""


def _refuse(code: str, zh: str, en: str) -> CodeRefused:
    return CodeRefused(code, zh, en)


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"venuecode/code/v1" + body, hashlib.sha256).digest()[:_MAC_BYTES]


def sign_code(key: bytes, key_id: int, kind: CodeKind, object_id: int, issue: int) -> str:
    body = _BODY.pack(VERSION, key_id, int(kind), object_id, issue)
    raw = body + _mac(key, body)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def extract_token(text: str) -> str:
    """Accept a bare token or a full code URL (…/s/TOKEN, with or without a query)."""
    value = text.strip()
    if "/s/" in value:
        value = value.rsplit("/s/", 1)[1]
    return value.split("?", 1)[0].split("#", 1)[0].strip("/")


def verify_venue_code(key: bytes, key_id: int, token: str) -> CodeClaims:
    """Check shape and signature; raise CodeRefused with a reason a citizen understands."""
    token = extract_token(token)
    if not token or len(token) > 64:
        raise _refuse("code_malformed", "这不是有效的场所码，请扫描场所门口张贴的场所码。",
                      "This is not a valid venue code. Please scan the code posted at the door.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _refuse("code_malformed", "这不是有效的场所码，请扫描场所门口张贴的场所码。",
                      "This is not a valid venue code. Please scan the code posted at the door."
                      ) from None
    if len(raw) != TOKEN_BYTES:
        raise _refuse("code_incomplete", "场所码不完整，请对准场所码重新扫描。",
                      "The venue code was read incompletely. Please scan it again.")
    body, mac = raw[: _BODY.size], raw[_BODY.size:]
    version, token_key_id, kind, object_id, issue = _BODY.unpack(body)
    if version != VERSION:
        raise _refuse("code_version", "该场所码版本不受支持，请联系场所管理方更换。",
                      "This venue code's version is not supported; ask the venue to replace it.")
    if token_key_id != key_id or not hmac.compare_digest(mac, _mac(key, body)):
        raise _refuse("code_forged", "该场所码不是本系统签发的，无法登记。请扫描场所门口的正式场所码。",
                      "This venue code was not issued by this system and cannot be used. "
                      "Please scan the official code at the venue's door.")
    try:
        code_kind = CodeKind(kind)
    except ValueError:
        raise _refuse("code_malformed", "这不是有效的场所码。", "This is not a valid venue code."
                      ) from None
    return CodeClaims(code_kind, object_id, issue, token_key_id)
