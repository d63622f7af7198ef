"""The settings in force, for the console's read-only page, with every secret hidden.

Hidden: every `SecretStr`, every setting whose name says key, token, password or secret,
the user name and password inside any URL (`postgresql://user:pw@host/db` shows as
`postgresql://***@host/db`) and any URL's query string. A new secret setting is hidden by its type or its name
without a change here; a test walks every field with a planted value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from venuecode.config import Settings

HIDDEN = "••••••"
_SECRET_WORDS = ("key", "token", "password", "secret", "credential")
# Names with "key" that are not secrets.
_NOT_SECRET = frozenset({"code_key_id"})


@dataclass(frozen=True)
class Shown:
    variable: str  # VENUECODE_…
    value: str
    hidden: bool


def _strip_credentials(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:
        return HIDDEN
    if not parts.scheme or not parts.netloc:
        return text
    # A query may carry a token too (`?access_token=…`): only its presence is shown.
    host = parts.netloc.rsplit("@", 1)[1] if "@" in parts.netloc else parts.netloc
    netloc = f"***@{host}" if "@" in parts.netloc else host
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "",
                       parts.fragment))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def shown_settings(settings: Settings) -> list[Shown]:
    out = []
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        secret = isinstance(value, SecretStr) or (
            name not in _NOT_SECRET and any(w in name for w in _SECRET_WORDS))
        if secret:
            text, hidden = (HIDDEN if value else ""), bool(value)
        else:
            text = _strip_credentials(_plain(value))
            hidden = text != _plain(value)
        out.append(Shown(f"VENUECODE_{name.upper()}", text, hidden))
    return out
