"""Venue code tokens: compact, versioned, signed by the server.

The layout is `venuecode.signed_tokens` (19 bytes, 26 characters of base64url) under the
MAC domain `venuecode/code/v1`. `kind` is 0 for a venue and 1 for a sub-area; `issue` is
the venue's (or sub-area's) issue number, bumped on re-issue so older posters stop
working. A token signed by another deployment fails the MAC check like a forged one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from venuecode.errors import InvalidInput
from venuecode.signed_tokens import BadToken, Fault, TokenCodec
from venuecode.venues.display import DisplayStamp, split_stamp

CODEC = TokenCodec(b"venuecode/code/v1", "/s/")


class CodeKind(enum.IntEnum):
    VENUE = 0
    SUB_AREA = 1


@dataclass(frozen=True)
class CodeClaims:
    kind: CodeKind
    object_id: int
    issue: int
    key_id: int
    # A rotating display code's time step and its MAC (venues/display.py); None: printed.
    stamp: DisplayStamp | None = None
    token: str = ""  # the printed token the stamp signs


class CodeRefused(InvalidInput):
    """A venue code that cannot be used; the message tells the citizen what to do."""


_REFUSALS = {
    Fault.MALFORMED: ("code_malformed", "这不是有效的场所码，请扫描场所门口张贴的场所码。",
                      "This is not a valid venue code. Please scan the code posted at the door."),
    Fault.INCOMPLETE: ("code_incomplete", "场所码不完整，请对准场所码重新扫描。",
                       "The venue code was read incompletely. Please scan it again."),
    Fault.VERSION: ("code_version", "该场所码版本不受支持，请联系场所管理方更换。",
                    "This venue code's version is not supported; ask the venue to replace it."),
    Fault.FORGED: ("code_forged", "该场所码不是本系统签发的，无法登记。请扫描场所门口的正式场所码。",
                   "This venue code was not issued by this system and cannot be used. "
                   "Please scan the official code at the venue's door."),
}


def sign_code(key: bytes, key_id: int, kind: CodeKind, object_id: int, issue: int) -> str:
    return CODEC.sign(key, key_id, int(kind), object_id, issue)


def extract_token(text: str) -> str:
    """Accept a bare token or a full code URL (…/s/TOKEN, with or without a query)."""
    return CODEC.extract(text)


def verify_venue_code(key: bytes, key_id: int, token: str) -> CodeClaims:
    """Check shape and signature; raise CodeRefused with a reason a citizen understands.

    A display code's stamp (`.step.mac` after the token) is only parsed here: it is checked
    against the venue's display key once the venue is read (`service.check_code`)."""
    parts = split_stamp(CODEC.extract(token))
    if parts is None:
        raise CodeRefused(*_REFUSALS[Fault.MALFORMED])
    token, stamp = parts
    try:
        fields = CODEC.read(key, key_id, token)
    except BadToken as bad:
        raise CodeRefused(*_REFUSALS[bad.fault]) from None
    try:
        code_kind = CodeKind(fields.kind)
    except ValueError:
        raise CodeRefused("code_malformed", "这不是有效的场所码。", "This is not a valid venue code."
                          ) from None
    return CodeClaims(code_kind, fields.object_id, fields.issue, fields.key_id, stamp, token)
