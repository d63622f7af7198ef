"""Jinja2 templates with the i18n extension; `render()` picks the request's locale."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from venuecode.web.flash import MESSAGES, Shown, clear_flash, take_flash
from venuecode.web.i18n import request_locale, translations
from venuecode.web.security import CSRF_FIELD, csrf_token, issue_cookie


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("venuecode.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["localtime"] = _localtime
    env.globals["csrf_field"] = _csrf_field
    env.globals["csrf_token"] = _csrf_token
    return env


@pass_context
def _csrf_field(ctx: Context) -> Markup:
    """The hidden field every post form carries (web/security.py checks it)."""
    return Markup('<input type="hidden" name="%s" value="%s">') % (
        CSRF_FIELD, csrf_token(ctx["request"]))


@pass_context
def _csrf_token(ctx: Context) -> str:
    return csrf_token(ctx["request"])


def _localtime(value: datetime | None, tz: str = "Asia/Shanghai",
               fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    locale = request_locale(request)
    env = environment()
    tr = translations(locale)

    def gettext(message: str, **values: Any) -> str:
        text = tr.gettext(message)
        return text % values if values else text

    ctx: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "gettext": gettext,
        "ngettext": tr.ngettext,
        "_": gettext,
    }
    state = getattr(request.app.state, "venuecode", None)
    if state is not None:
        ctx["tz"] = state.settings.timezone
    ctx.update(context or {})
    ctx["flash"] = _shown_flash(request, gettext)
    html = env.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    issue_cookie(request, response)
    clear_flash(request, response)  # shown once (web/flash.py)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400,
                            samesite="lax", secure=state is not None
                            and state.settings.public_url.startswith("https://"))
    return response


def _shown_flash(request: Request, gettext: Any) -> Shown | None:
    pending = take_flash(request)
    if pending is None:
        return None
    key, values = pending
    message = MESSAGES[key]
    try:
        return Shown(gettext(message.msgid, **values), message.kind)
    except (KeyError, TypeError, ValueError):  # values that do not fit the message: skip it
        return None
