"""An unexpected error is a proper 500 and the connection stays usable (issue 11, finding 13).

Starlette's outermost error middleware sent the 500 and then re-raised, and uvicorn closes
the connection of a request whose app raised: a client's next request on its keep-alive
connection failed. A real uvicorn server (both HTTP parsers), a test-only route that
breaks, then a second request on the very same HTTP/1.1 connection.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse


class Broken(RuntimeError):
    pass


def _boom() -> HTMLResponse:
    raise Broken("a dependency broke")


@pytest.fixture(params=["h11", "httptools"])
def server_url(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[tuple[str, int]]:
    # Test-only routes on this app instance (never in the route table of the real app).
    app.add_api_route("/api/v1/test-only/broken", _boom, methods=["GET"])
    app.add_api_route("/test-only/broken", _boom, methods=["GET"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off",
                                           http=request.param))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield "127.0.0.1", sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _get(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", path, headers={"Accept": accept, "Accept-Language": "zh-CN,zh;q=0.9"})
    response = conn.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_an_api_500_answers_json_and_keeps_the_connection(server_url: tuple[str, int]) -> None:
    conn = http.client.HTTPConnection(*server_url, timeout=10)
    try:
        status, headers, body = _get(conn, "/api/v1/test-only/broken", "application/json")
        assert status == 500
        error = orjson.loads(body)["error"]
        assert error["code"] == "internal_error" and error["message"].startswith("系统繁忙")
        assert headers.get("connection", "").lower() != "close"
        # The outer middleware saw it like any answer: security headers and a request id.
        assert headers["x-content-type-options"] == "nosniff" and headers["x-request-id"]
        sock = conn.sock
        assert sock is not None
        # The same socket again: a dropped connection fails here (http.client reconnects
        # only when it knows the socket closed, and then `conn.sock` would be a new one).
        status, _, body = _get(conn, "/healthz", "application/json")
        assert (status, orjson.loads(body)) == (200, {"status": "ok"})
        assert conn.sock is sock
    finally:
        conn.close()


def test_a_page_500_shows_the_error_page_in_chinese_and_keeps_the_connection(
        server_url: tuple[str, int]) -> None:
    conn = http.client.HTTPConnection(*server_url, timeout=10)
    try:
        status, headers, body = _get(conn, "/test-only/broken", "text/html,*/*;q=0.8")
        assert status == 500 and headers["content-type"].startswith("text/html")
        page = body.decode()
        assert "系统繁忙，请稍后再试" in page and "Broken" not in page and "Traceback" not in page
        sock = conn.sock
        for _ in range(2):
            status, _, _ = _get(conn, "/test-only/broken", "text/html")
            assert status == 500
        assert conn.sock is sock
        status, _, _ = _get(conn, "/healthz", "application/json")
        assert status == 200 and conn.sock is sock
    finally:
        conn.close()
