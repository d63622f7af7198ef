"""Request bodies: a size limit per route, enforced before anything parses the body, and
the credentials a route needs, checked before its body is read.

FastAPI reads and parses a route's body (JSON into objects, a multipart into temporary
files) before it runs the route's dependencies, so without this an anonymous client could
make the server hold a 73 MB JSON in memory, or write a 1 GiB multipart to disk, only to
be told 401. Here, pure ASGI, before the app sees the request:

- a `Content-Length` above the route's limit is answered 413 at once; a body sent without
  one (chunked) is counted as it streams in and cut off with 413 at the limit, the app
  then sees the client as gone;
- the push API, the upload page and the gate device's routes refuse a request without
  credentials with 401 before reading any of it: the push API looks its API key up (a
  key-shaped but unknown or revoked key is refused and audited like the route refuses it,
  issue 11: a bogus key made the server read 32 MB first); the upload page needs a sign-in
  token with a valid signature; the gate device's scan and upload need a key-shaped device
  key. The route still checks the key or the account fully after its body is read (a key
  revoked meanwhile, the key's kinds, the account's role), which the limit bounds;
- a response sent before its request body was read whole closes the connection, so the
  server never drains the rest of a refused upload.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request

from venuecode.assist import gate_devices
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.db import read_session, transaction
from venuecode.errors import DomainError, NotAuthenticated
from venuecode.ingest.sources import KEY_PREFIX, verify_key
from venuecode.people.auth import peek_claims
from venuecode.web.deps import SESSION_COOKIE
from venuecode.web.errors import domain_error
from venuecode.web.state import AppState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# A precheck of the request (its headers, path, client): the refusal to send, or None.
Gate = Callable[[Scope], Awaitable[DomainError | None]]

MULTIPART_SLACK = 1 << 20  # the form's other fields and part headers around the file


class BodyTooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        mb = f"{limit / (1 << 20):g}"
        super().__init__(
            "body_too_large", f"请求内容超过此接口 {mb} MB 的上限，请分批发送。",
            f"The request body is larger than this address's limit of {mb} MB; "
            "send it in smaller parts.", {"limit_bytes": limit}, 413)


def _invalid_key() -> NotAuthenticated:
    return NotAuthenticated("invalid_api_key", "缺少或无效的 API 密钥。",
                            "Missing or invalid API key: send it as "
                            "'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.")


async def _device_key_gate(scope: Scope) -> DomainError | None:
    presented = Headers(scope=scope).get(gate_devices.KEY_HEADER, "").strip()
    return None if gate_devices.key_shaped(presented) else gate_devices.key_refusal(presented)


def _api_key_gate(state: AppState) -> Gate:
    def known(presented: str) -> bool:
        with read_session(state.sessionmaker) as session:
            return verify_key(session, presented) is not None

    def refused(kind: str, ip: str | None) -> None:
        # As the route audits a bad key (`ingest.api`): the refusal is no silent probe.
        with transaction(state.sessionmaker) as session:
            record(session, Actor("anonymous", "none", ip), AuditAction.INGEST_REFUSED,
                   "ingest", kind, "missing or invalid key")

    async def gate(scope: Scope) -> DomainError | None:
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        presented = auth[7:].strip() if auth.lower().startswith("bearer ") else \
            headers.get("x-api-key", "").strip()
        if not (presented.startswith(KEY_PREFIX) and len(presented) > len(KEY_PREFIX) + 8):
            return _invalid_key()
        # One indexed select, in the threadpool (never on the event loop).
        if await run_in_threadpool(known, presented):
            return None
        client = scope.get("client")
        await run_in_threadpool(refused, scope["path"].rsplit("/", 1)[-1][:64],
                                       client[0] if client else None)
        return _invalid_key()
    return gate


def _sign_in_gate(secret: str) -> Gate:
    async def gate(scope: Scope) -> DomainError | None:
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        if not token:
            cookies = Request({"type": "http", "headers": headers.raw}).cookies
            token = cookies.get(SESSION_COOKIE, "").strip()
        if not token:
            return NotAuthenticated()
        try:
            peek_claims(secret, token)  # the signature only; the route checks the account
        except NotAuthenticated as refused:
            return refused
        return None
    return gate


@dataclass(frozen=True)
class RouteLimit:
    method: str
    path: re.Pattern[str]
    max_bytes: int
    gate: Gate | None = None


def route_limits(state: AppState) -> tuple[RouteLimit, ...]:
    """The routes with a limit of their own (every other one has VENUECODE_BODY_MAX_MB)."""
    s = state.settings
    return (
        RouteLimit("POST", re.compile(r"/admin/ingest"), (s.upload_max_mb << 20) + MULTIPART_SLACK,
                   _sign_in_gate(state.secret)),
        RouteLimit("POST", re.compile(r"/api/v1/ingest/[^/]+"), s.push_max_mb << 20,
                   _api_key_gate(state)),
        # The gate device's scan and upload: nothing is read without a device key.
        RouteLimit("POST", re.compile(r"/api/v1/sentinel/.+/(?:scan|checkins)"),
                   s.body_max_mb << 20, _device_key_gate),
    )


class BodyLimits:
    def __init__(self, app: ASGIApp, *, state: AppState) -> None:
        self.app = app
        self.routes = route_limits(state)
        self.default = state.settings.body_max_mb << 20

    def _route(self, scope: Scope) -> tuple[int, Gate | None]:
        method, path = scope["method"], scope["path"]
        for route in self.routes:
            if route.method == method and route.path.fullmatch(path):
                return route.max_bytes, route.gate
        return self.default, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, gate = self._route(scope)
        headers = Headers(scope=scope)
        refusal = await gate(scope) if gate is not None else None
        declared = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if refusal is None and declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # the server refuses a malformed length itself
            refusal = BodyTooLarge(limit) if too_large else None
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal, close=True)
            return
        if not chunked and not declared:
            await self.app(scope, receive, send)  # no body: nothing to count
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        body_done = False
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, body_done, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    refused = True
                    if not started:
                        await self._refuse(scope, receive, send, BodyTooLarge(limit),
                                           close=True)
                    return {"type": "http.disconnect"}  # the app stops reading
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 went out; whatever the app answers to the cut is dropped
            if message["type"] == "http.response.start":
                started = True
                if not body_done:  # answered before reading it all: never drain the rest
                    message["headers"] = [*message.get("headers", ()),
                                          (b"connection", b"close")]
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, error: DomainError,
                      close: bool) -> None:
        response = await domain_error(Request(scope, receive), error)
        if close:
            response.headers["connection"] = "close"
        await response(scope, receive, send)
