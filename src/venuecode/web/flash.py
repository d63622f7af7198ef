"""One-time messages after an action ("已保存", "场所已撤销…"): post, redirect, show once.

A route that changed something answers a 303 redirect and calls `flash(request, response,
key)`; the next page rendered by `render()` shows the message at the top of base.html and
clears it. The cookie holds only a signed message key (and small values for its
placeholders), lives 60 seconds and is HttpOnly: the words come from `MESSAGES` through the
catalogue, so nothing typed by anyone and no forged cookie can put text on a page.
docs/feedback.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

FLASH_COOKIE = "vc_flash"
FLASH_MAX_AGE = 60  # seconds: the redirect follows at once; a stale message must not linger
_SALT = "venuecode.flash"
Kind = Literal["ok", "warn"]
FlashValue = str | int
R = TypeVar("R", bound=Response)


def N_(message: str) -> str:
    """Marks a message id for extraction (`pybabel extract` knows `N_`); translated later."""
    return message


@dataclass(frozen=True)
class FlashMessage:
    msgid: str  # English, translated through the catalogue when shown
    kind: Kind = "ok"


# Keys callers pass to `flash()`. Append yours in a block of your own (keep existing keys).
MESSAGES: dict[str, FlashMessage] = {
    "signed_in": FlashMessage(N_("You are signed in.")),
    "signed_out": FlashMessage(N_("You are signed out.")),
    "identity_bound": FlashMessage(N_("Your real name is verified.")),
    "code_resent": FlashMessage(N_("A new code was sent.")),
    "venue_applied": FlashMessage(N_("Application sent. A district administrator will review it.")),
    "venue_approved": FlashMessage(N_("The venue is approved; its code works now.")),
    "venue_rejected": FlashMessage(N_("The application is rejected; the applicant sees the reason.")),
    "venue_revoked": FlashMessage(N_("The venue is revoked; its code no longer checks anyone in."),
                                  "warn"),
    "venue_resubmitted": FlashMessage(N_("Application corrected and sent again. The district will review it.")),
    "venue_code_reissued": FlashMessage(N_("A new venue code is issued; print the new poster.")),
    "trace_started": FlashMessage(N_("The trace is done.")),
    "push_requested": FlashMessage(N_("The health-code push is requested; a supervisor must approve it.")),
    "push_approved": FlashMessage(N_("The push is approved: the health codes are changed.")),
    "push_rejected": FlashMessage(N_("The push is rejected; no health code was changed.")),
    "marks_lifted": FlashMessage(N_("The tracing marks are lifted.")),
    "paper_code_revoked": FlashMessage(N_("The card was revoked. Reissue to print a new one."), "warn"),
    "help_added": FlashMessage(N_("%(name)s is checked in.")),
    "help_done": FlashMessage(N_("Help-scan finished: %(n)s people.")),
}


@dataclass(frozen=True)
class Shown:
    """What base.html shows: the translated text and its kind (a CSS class)."""

    text: str
    kind: Kind


def _serializer(request: Request) -> URLSafeTimedSerializer | None:
    state = getattr(request.app.state, "venuecode", None)
    if state is None:
        return None
    return URLSafeTimedSerializer(state.secret, salt=_SALT)


def _https(request: Request) -> bool:
    state = getattr(request.app.state, "venuecode", None)
    return state is not None and state.settings.public_url.startswith("https://")


def flash(request: Request, response: R, key: str, **values: FlashValue) -> R:
    """Show MESSAGES[key] on the next page this browser opens; returns `response`."""
    if key not in MESSAGES:
        raise KeyError(f"unknown flash message {key!r}: add it to web/flash.py MESSAGES")
    serializer = _serializer(request)
    if serializer is not None:
        clean = {k: (v if isinstance(v, int) else str(v)[:60]) for k, v in values.items()}
        response.set_cookie(FLASH_COOKIE, serializer.dumps({"k": key, "v": clean}),
                            max_age=FLASH_MAX_AGE, path="/", httponly=True, samesite="lax",
                            secure=_https(request))
    return response


def take_flash(request: Request) -> tuple[str, dict[str, FlashValue]] | None:
    """The pending message key and values, if a valid one is waiting (render() clears it)."""
    raw = request.cookies.get(FLASH_COOKIE)
    serializer = _serializer(request)
    if not raw or serializer is None:
        return None
    try:
        data = serializer.loads(raw, max_age=FLASH_MAX_AGE)
    except BadSignature:
        return None
    key, values = data.get("k"), data.get("v") or {}
    if key not in MESSAGES or not isinstance(values, dict):
        return None
    return key, values


def clear_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=_https(request))
