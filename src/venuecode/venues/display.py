"""Rotating display codes (动态场所码): the venue code a screen shows, re-signed every step.

The threat: a photo of a printed poster forwarded to a chat (Henan, June 2022) or a code
scanned from far away (luca, 2021) checks people in where they never were. A display code
is only good for a short window, so a forwarded picture of it goes stale in about a minute.

- **Display key.** Per venue, derived, never stored: HMAC-SHA256 of the deployment's code
  signing key over `venuecode/display-key/v1 | venue pk | display issue`. The manager
  rotates it (`venues.display_issue` += 1): every screen showing the old key stops
  producing accepted codes at once. The key goes to the manager's display page only, never
  to a citizen's phone.
- **Time step.** TOTP-style (RFC 6238): `step = floor(unix seconds / VENUECODE_DISPLAY_CODE_SECONDS)`.
- **Stamp.** `HMAC-SHA256(display key, "<venue token>.<step>")[:8]`, base64url (11
  characters). Binding the printed token means one key serves the venue and its sub-areas.
- **URL.** The printed code's URL with `.<step>.<stamp>` after the token:
  `PUBLIC_URL/s/<token>.<step>.<stamp>`; one path segment, so it survives the sign-in
  detour (`next=/s/...`) like a printed code does. The browser derives the same stamp with
  WebCrypto (`web/static/display.js`), so the screen keeps working offline.
- **Window.** Accepted while `current step - step <= VENUECODE_DISPLAY_CODE_GRACE_STEPS`
  (default 2: a code is good for 60 to 90 s), and up to one step ahead (a screen whose clock
  runs a little fast). Older: refused with 请扫描现场展示的场所码.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import datetime

KEY_DOMAIN = b"venuecode/display-key/v1"
STAMP_BYTES = 8
_STAMP = re.compile(r"^(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{11})$")
# A screen whose clock runs ahead by up to this many steps is still believed.
AHEAD_STEPS = 1


@dataclass(frozen=True, slots=True)
class DisplayStamp:
    step: int
    mac: str


def display_key(code_key: bytes, venue_pk: int, display_issue: int) -> bytes:
    """The venue's display key for its current rotation (32 bytes)."""
    return hmac.new(code_key, KEY_DOMAIN + struct.pack(">II", venue_pk, display_issue),
                    hashlib.sha256).digest()


def key_text(key: bytes) -> str:
    """The key as the display page receives it (unpadded base64url)."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def step_of(now: datetime, seconds: int) -> int:
    return int(now.timestamp()) // seconds


def stamp_mac(key: bytes, token: str, step: int) -> str:
    digest = hmac.new(key, f"{token}.{step}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:STAMP_BYTES]).rstrip(b"=").decode("ascii")


def stamped(token: str, key: bytes, step: int) -> str:
    """`<token>.<step>.<stamp>`: what follows /s/ in the display's URL."""
    return f"{token}.{step}.{stamp_mac(key, token, step)}"


def split_stamp(text: str) -> tuple[str, DisplayStamp | None] | None:
    """(token, stamp) of `token` or `token.step.mac`; None when the suffix is malformed."""
    token, dot, rest = text.partition(".")
    if not dot:
        return token, None
    match = _STAMP.match(rest)
    if match is None:
        return None
    return token, DisplayStamp(int(match.group(1)), match.group(2))


def stamp_valid(key: bytes, token: str, stamp: DisplayStamp) -> bool:
    return hmac.compare_digest(stamp.mac, stamp_mac(key, token, stamp.step))


def stamp_age(stamp: DisplayStamp, now: datetime, seconds: int) -> int:
    """Steps since the stamp's (negative: the screen's clock runs ahead)."""
    return step_of(now, seconds) - stamp.step
