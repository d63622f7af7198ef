"""CPU per request of the observability middleware, in process (no sockets, no server).

    .venv/bin/python bench/observability/middleware.py

Calls a trivial ASGI app (a route-like object in the scope, a 201 response) N times:
bare, through the middleware with the access log off (request id + HTTP metric), and
with the access log on (JSON formatter writing to /dev/null). Prints CPU microseconds per
request (time.process_time, so other load on the machine matters less than for wall time).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from venuecode.observability.drain import Drain
from venuecode.observability.logs import JsonFormatter
from venuecode.observability.middleware import ObservabilityMiddleware

N = 50_000


class _Route:
    path = "/api/v1/scans"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = _Route
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _noop_send(message: Any) -> None:
    return None


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def run(target: Any) -> float:
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"authorization", b"Bearer x" * 8), (b"x-request-id", b"0b3cf025aa9fd4bb")]
    started = time.process_time()
    for _ in range(N):
        scope = {"type": "http", "method": "POST", "path": "/api/v1/scans", "headers": headers,
                 "client": ("127.0.0.1", 5000)}
        await target(scope, _receive, _noop_send)
    return (time.process_time() - started) / N * 1e6


def main() -> None:
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    bare = asyncio.run(run(app))
    quiet = asyncio.run(run(ObservabilityMiddleware(app, drain=Drain(), access_log=False)))
    logged = asyncio.run(run(ObservabilityMiddleware(app, drain=Drain(), access_log=True)))
    print(f"bare app            {bare:7.1f} µs CPU/request")
    print(f"middleware, no log  {quiet:7.1f} µs  (+{quiet - bare:.1f})")
    print(f"middleware + JSON   {logged:7.1f} µs  (+{logged - bare:.1f})")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
