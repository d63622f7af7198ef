"""Domain errors to HTTP, in exactly one place: JSON under /api, a page for browsers.

Unexpected exceptions become a 500 with a reference number; the stack trace goes to the
log, never to the client. They are answered by `AnswerUnexpected`, inside the app, not by
Starlette's outermost error middleware: that one sends the 500 and then re-raises, and
uvicorn closes the connection of any request whose app raised (issue 11: after any 500
the client's keep-alive connection was dropped).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from venuecode.errors import DomainError, NotAuthenticated
from venuecode.web.forms import describe, route_titles
from venuecode.web.i18n import request_locale

log = logging.getLogger("venuecode.web")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


def _respond(request: Request, status: int, code: str, zh: str, en: str,
             details: dict[str, object] | None = None) -> Response:
    locale = request_locale(request)
    message = zh if locale == "zh" else en
    if _wants_json(request):
        body: dict[str, object] = {"error": {"code": code, "message": message,
                                             "message_zh": zh, "message_en": en}}
        if details:
            body["error"]["details"] = details  # type: ignore[index]
        headers = {}
        if status in (429, 503) and details and "retry_after" in details:
            headers["Retry-After"] = str(details["retry_after"])
        return JSONResponse(body, status_code=status, headers=headers)
    from venuecode.web.templating import render

    return render(request, "error.html", {"status": status, "code": code, "message": message},
                  status_code=status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotAuthenticated) and not _wants_json(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _respond(request, exc.status, exc.code, exc.message_zh, exc.message_en, exc.details)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _wants_json(request):
        # A browser's form post: each field by its label on the page, the problem in words.
        titles = route_titles(request)
        zh = "；".join(describe(exc.errors()[:5], titles, "zh"))
        en = "; ".join(describe(exc.errors()[:5], titles, "en"))
        return _respond(request, 422, "invalid_input", f"输入有误：{zh}。", f"Invalid input: {en}.")
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        problems.append({"field": where, "problem": err.get("msg", "")})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return _respond(request, 422, "invalid_input", f"输入有误：{summary}",
                    f"Invalid input: {summary}", {"problems": problems})


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return _respond(request, 404, "not_found", "页面不存在。", "This page does not exist.")
    if exc.status_code == 405:
        return _respond(request, 405, "method_not_allowed", "不支持该操作。",
                        "This method is not allowed here.")
    return _respond(request, exc.status_code, "http_error", str(exc.detail), str(exc.detail))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    reference = secrets.token_hex(4)
    log.exception("unhandled error, reference %s", reference, exc_info=exc)
    return _respond(request, 500, "internal_error",
                    f"系统繁忙，请稍后再试（编号 {reference}）。",
                    f"Something went wrong on our side; please try again (reference {reference}).")


def _sqlite_busy(exc: BaseException) -> bool:
    orig = exc.orig if isinstance(exc, OperationalError) else exc
    return isinstance(orig, sqlite3.OperationalError) and (
        "locked" in str(orig) or "busy" in str(orig))


async def database_error(request: Request, exc: Exception) -> Response:
    """SQLite's write lock still taken after busy_timeout: try again, not a failure (503).

    Reads never take that lock (`db.read_session`) and imports hold it a fraction of a
    second at a time, so this is a writer queued behind something unusually long.
    """
    if not _sqlite_busy(exc):
        return await unexpected_error(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return _respond(request, 503, "database_busy", "系统繁忙，数据正在写入，请稍后重试。",
                    "The database is busy writing; please try again shortly.",
                    {"retry_after": 1})


Message = MutableMapping[str, Any]
ASGIApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Message]],
                    Callable[[Message], Awaitable[None]]], Awaitable[None]]


class AnswerUnexpected:
    """Pure ASGI, innermost of the app's middleware (just outside the routes' own exception
    handling): an exception no handler took becomes the 500 answer and the request ends
    normally, so the server keeps the connection open and the outer middleware (security
    headers, body limits, request id, access log, metrics) see the 500 like any answer.
    Once a response has started (a streamed download failing halfway) nothing can be said
    any more: the exception goes on, and the server drops the connection, which is then
    the only honest signal that the body is incomplete."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any],
                       receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:
                raise
            response = await unexpected_error(Request(scope, receive), exc)
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(OperationalError, database_error)
    app.add_exception_handler(sqlite3.OperationalError, database_error)  # the scan's raw reads
    app.add_exception_handler(Exception, unexpected_error)  # last resort: see AnswerUnexpected
    # The first middleware added is the innermost (Starlette builds the stack in reverse).
    app.add_middleware(AnswerUnexpected)
