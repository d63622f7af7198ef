"""Drive the real app over ASGI with a streamed request body whose chunks are counted.

TestClient reads a request body whole before the app runs; this client hands the app its
body chunk by chunk, only when the app asks for one, and counts what it handed over, so a
test shows how much of a body the server read before it answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sent: int = 0  # request body bytes the app took


def exchange(app: Any, method: str, path: str, headers: dict[str, str],
             chunks: Iterable[bytes], *, keep_body: bool = True) -> Exchange:
    """One request; `chunks` is consumed lazily, as the app reads."""
    result = Exchange()
    body: Iterator[bytes] = iter(chunks)

    async def run() -> None:
        finished = asyncio.Event()
        parts: list[bytes] = []
        ended = False

        async def receive() -> dict[str, Any]:
            nonlocal ended
            if finished.is_set():
                return {"type": "http.disconnect"}
            chunk = None if ended else next(body, None)
            if chunk is None:
                if not ended:
                    ended = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                await finished.wait()  # the body is over: wait for the end, as a server does
                return {"type": "http.disconnect"}
            result.sent += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                result.status = message["status"]
                result.headers = {k.decode().lower(): v.decode()
                                  for k, v in message.get("headers", ())}
            elif message["type"] == "http.response.body":
                if keep_body:
                    parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    finished.set()

        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                 "http_version": "1.1", "method": method, "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        await app(scope, receive, send)
        result.body = b"".join(parts)

    # On a thread of its own: a browser test earlier in the same worker may have left an
    # event loop running on this one (Playwright), where asyncio.run refuses.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, run()).result()
    return result


def repeated(chunk: bytes, total: int) -> Iterator[bytes]:
    """`total` bytes of `chunk` repeated, generated as they are asked for."""
    sent = 0
    while sent < total:
        part = chunk[: total - sent]
        sent += len(part)
        yield part
