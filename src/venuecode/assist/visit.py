"""One help-scan visit kept in a short-lived signed token, not in a table.

The token holds the helper's user id, the venue code, keyed digests of the helped ID
numbers (to refuse the same person twice and a sixth one) and the masked rows already
shown (reason codes, not words: the page words them in the language of the moment). It
travels in an HttpOnly cookie scoped to the visit's own `/help/{token}` path
(`assist/pages.py`), so each step can redirect (post, redirect, get) and a language switch
keeps the list. It expires after `VISIT_MAX_AGE`, and 完成 marks it `finished`, so the
stacked result is not opened again later and nothing about the helped people stays with
the helper's account.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from venuecode.assist.service import Helped
from venuecode.errors import InvalidInput
from venuecode.people.idnumber import mask_id_number, mask_name

VISIT_MAX_AGE = 30 * 60
_SALT = "venuecode.help-visit"


@dataclass
class Visit:
    helper_id: int
    venue_code: str
    digests: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False  # 完成 was pressed: Back leads to the venue page, not the list


def person_digest(secret: str, id_number: str) -> str:
    # Keyed: a plain hash of an ID number is reversible by trying all plausible numbers.
    return hmac.new(secret.encode(), b"help-visit:" + id_number.encode(), hashlib.sha256
                    ).hexdigest()[:16]


def dump_visit(secret: str, visit: Visit) -> str:
    serializer = URLSafeTimedSerializer(secret, salt=_SALT)
    return serializer.dumps({"u": visit.helper_id, "v": visit.venue_code, "d": visit.digests,
                             "r": visit.rows, "f": visit.finished})


def load_visit(secret: str, token: str | None, helper_id: int, venue_code: str) -> Visit:
    """The visit from the page, or a new one; an expired or foreign token starts afresh
    only when it is empty, otherwise it is refused (the stacked page is not re-viewable)."""
    if not token:
        return Visit(helper_id, venue_code)
    serializer = URLSafeTimedSerializer(secret, salt=_SALT)
    try:
        data = serializer.loads(token, max_age=VISIT_MAX_AGE)
    except BadSignature:
        raise InvalidInput("help_visit_expired", "本次帮扫已过期，请重新扫描场所码后再帮扫。",
                           "This help-scan visit has expired; scan the venue code again.") from None
    if data.get("u") != helper_id or data.get("v") != venue_code:
        raise InvalidInput("help_visit_expired", "本次帮扫已过期，请重新扫描场所码后再帮扫。",
                           "This help-scan visit has expired; scan the venue code again.")
    return Visit(helper_id, venue_code, list(data.get("d", [])), list(data.get("r", [])),
                 bool(data.get("f", False)))


def helped_row(helped: Helped) -> dict[str, Any]:
    """What the stacked result shows of one person: masked, colour, verdict, reason codes."""
    name = helped.identity.name
    return {
        "name": mask_name(name) if name else None,
        "id_number": mask_id_number(helped.identity.id_number),
        "method": helped.identity.method.value,
        "decision": helped.decision.verdict,
        "color": helped.decision.panels.health_code.color,
        "reasons": [[r.code, dict(r.details)] for r in helped.decision.denying_reasons],
        "repeat": helped.repeat,
    }
