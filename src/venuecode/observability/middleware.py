"""One pure ASGI middleware around the app: request id, access log, HTTP metric, drain hook.

Pure ASGI (no BaseHTTPMiddleware, no Request object) because it runs on every scan: it
reads two scope keys, wraps `send` to see the status, and after the response counts the
request under its route template (never the raw path: no personal data in labels).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from venuecode.observability.drain import Drain
from venuecode.observability.logs import request_id
from venuecode.observability.metrics import observe_http

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access = logging.getLogger("venuecode.access")
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._\-]{1,64}")
# Probes and scrapes that succeed are counted, not logged (a balancer polls every second).
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, drain: Drain, access_log: bool = True) -> None:
        self.app = app
        self.drain = drain
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
        else:
            await self.app(scope, receive, send)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.drain.install()
            return message
        return wrapped

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value if _REQUEST_ID.fullmatch(value) else b""
                break
        rid = rid or uuid.uuid4().hex.encode()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid)]
            await send(message)

        # Not reset afterwards: each request runs in its own task (its own context), and the
        # 500 handler, which logs the reference number, runs outside this middleware.
        request_id.set(rid.decode())
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = route_template(scope)
            observe_http(route, scope["method"], status)
            if self.access_log and (status >= 400 or route not in QUIET):
                self._log(scope, route, status, started)

    @staticmethod
    def _log(scope: Scope, route: str, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        client = scope.get("client")
        host = client[0] if client else None
        path = scope["path"]  # never the query string: it may carry a token
        access.info("%s %s %s %.1fms", scope["method"], path, status, duration_ms,
                    extra={"method": scope["method"], "path": path, "route": route,
                           "status": status, "duration_ms": duration_ms, "client": host})
