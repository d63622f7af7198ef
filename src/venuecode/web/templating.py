"""Jinja2 templates with the i18n extension; `render()` picks the request's locale."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from venuecode.web.i18n import request_locale, translations


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
    return env


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
    html = env.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400,
                            samesite="lax")
    return response
