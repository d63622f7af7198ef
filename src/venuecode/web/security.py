"""Security headers on every response, and the CSRF check of every cookie-driven change.

Headers (a pure ASGI middleware, so streamed and static responses get them too): a CSP
that allows only this origin (no inline script or style anywhere: templates keep their
scripts and styles in web/static/), no framing, nosniff, Referrer-Policy same-origin
(venue code URLs carry tokens), HSTS when the public URL is https, and
`Cache-Control: no-store` on every response but /static/ files and those that set their
own (personal data must not stay in a shared or back-button cache).

CSRF (one async dependency on every route, `check_csrf`): an unsafe request that a
browser could have been tricked into sending, that is any page post and any /api call
riding on the session cookie, needs (1) an Origin, or else a Referer, of this site when
the browser sends one, and (2) the double-submit token: the `vc_csrf` cookie's value
again in the form field `csrf_token` (`{{ csrf_field() }}` in every post form) or the
`X-CSRF-Token` header (scripts; base.html's `csrf-token` meta). Requests with an
`Authorization` bearer or `X-API-Key` header are exempt: a cross-site form cannot send
those headers, and they, not a cookie, identify the caller. docs/security.md.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from venuecode.errors import PermissionDenied
from venuecode.web.deps import SESSION_COOKIE

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "vc_csrf"
# Only over https may a cookie take the __Host- prefix (Secure, Path=/, no Domain): then
# a sibling subdomain cannot plant its own token.
CSRF_COOKIE_HTTPS = "__Host-vc_csrf"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "img-src 'self' data: blob:",  # Swagger UI's icons are data: URLs; graph exports blobs
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "form-action 'self'", "frame-ancestors 'none'",
])
_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds the headers above to every HTTP response, keeping any a route set itself."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = {**_HEADERS, **({"strict-transport-security": HSTS} if https else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                if not cacheable and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _https(request: Request) -> bool:
    state = getattr(request.app.state, "venuecode", None)
    return state is not None and state.settings.public_url.startswith("https://")


def cookie_name(request: Request) -> str:
    return CSRF_COOKIE_HTTPS if _https(request) else CSRF_COOKIE


def csrf_token(request: Request) -> str:
    """This browser's token, for a form or a script; a new one is set by `issue_cookie`."""
    known = getattr(request.state, "csrf_token", None)
    if known is None:
        known = request.cookies.get(cookie_name(request), "")
        if not _TOKEN.match(known):
            known = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_token = known
    return str(known)


def issue_cookie(request: Request, response: Response) -> None:
    """Set the cookie when a page handed out a token the browser does not hold yet."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(cookie_name(request), request.state.csrf_token, max_age=365 * 86400,
                            path="/", secure=_https(request), httponly=True, samesite="lax")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_site_origin(request: Request) -> bool:
    """The Origin (else Referer) names this site, or the browser sent neither."""
    sent = request.headers.get("origin")
    if sent is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True  # some privacy settings drop both; the token still has to match
        sent = _origin(referer) or "null"
    state = getattr(request.app.state, "venuecode", None)
    allowed = {_origin(str(request.base_url))}
    if state is not None:
        allowed.add(_origin(state.settings.public_url))
    return sent.lower() in allowed


def _refused(request: Request) -> PermissionDenied:
    if request.url.path.startswith("/s/"):
        return PermissionDenied(
            "csrf_refused",
            "签到未记录：这个请求不是从本站的签到页面发出的（可能来自其他网站）。如果您确实在这个"
            "场所，请用手机重新扫描场所码，在打开的页面上签到。",
            "Not checked in: this request did not come from this site's check-in page "
            "(perhaps from another website). If you are at this venue, scan its venue code "
            "again with your phone and check in on the page that opens.")
    return PermissionDenied(
        "csrf_refused",
        "操作未执行：这个请求不是从本站页面发出的，或页面已过期。请回到上一页，刷新后再提交一次。",
        "Nothing was done: this request did not come from a page of this site, or the page "
        "has expired. Go back, reload the page and submit again.")


def _exempt(request: Request) -> bool:
    if request.method not in _UNSAFE:
        return True
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True  # load_user then ignores the cookie
    if "x-api-key" in request.headers:
        return True  # a data source's key, never a browser's cookie
    # An anonymous API call (an app asking for an SMS code) has no cookie to ride on.
    return request.url.path.startswith("/api/") and SESSION_COOKIE not in request.cookies


async def check_csrf(request: Request) -> None:
    """Refuse a cookie-driven unsafe request that no page of this site sent."""
    if _exempt(request):
        return
    if not _same_site_origin(request):
        raise _refused(request)
    expected = request.cookies.get(cookie_name(request), "")
    presented: object = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(_FORMS):
        # FastAPI has parsed a form route's body already; Starlette keeps it on the request.
        presented = (await request.form()).get(CSRF_FIELD)
    if not (isinstance(presented, str) and _TOKEN.match(expected)
            and hmac.compare_digest(presented.encode(), expected.encode())):
        raise _refused(request)


def install(app: FastAPI) -> None:
    """Before the routers are included: a route takes the app's dependencies when added."""
    state = app.state.venuecode
    app.add_middleware(SecurityHeaders, https=state.settings.public_url.startswith("https://"))
    app.router.dependencies.append(Depends(check_csrf))
