"""Readiness, metrics and the access log, on the real app and database."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.scans.test_scan_api import code_of
from tests.support import factories
from tests.support import facts as f
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.db import make_engine, make_sessionmaker
from venuecode.observability.logs import JsonFormatter
from venuecode.observability.readiness import Readiness

METRICS_TOKEN = "metrics-token-0123456789abcdefghijklmnopqrstuvwxyz"


def test_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_not_ready_without_a_schema_or_when_it_is_behind_the_code(settings: Settings,
                                                                  tmp_path: Path) -> None:
    from sqlalchemy import text

    from venuecode.web.app import create_app

    db = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(settings, engine=db, factory=make_sessionmaker(db))
    with TestClient(app) as c:
        empty = c.get("/readyz")
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('0123456789ab')"))
        behind = c.get("/readyz")
    db.dispose()
    assert empty.status_code == behind.status_code == 503
    assert empty.json()["problems"]["database"].startswith("no schema")
    assert behind.json()["problems"]["database"].startswith("schema at 0123456789ab, the code")
    for response in (empty, behind):
        assert response.json()["status"] == "unavailable"
        assert "run venuecode db upgrade" in response.json()["problems"]["database"]


def _problems(readiness: Readiness) -> dict[str, str]:
    # On a thread of its own: a browser test in this worker may hold a running loop here.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, readiness.problems()).result()


def test_not_ready_when_the_database_or_redis_does_not_answer(engine: Engine) -> None:
    nowhere = make_engine("postgresql://postgres@127.0.0.1:9/none")
    problems = _problems(Readiness(nowhere, "redis://127.0.0.1:9/5", 2))
    nowhere.dispose()
    assert set(problems) == {"database", "redis"}
    assert "OperationalError" in problems["database"]
    assert "ConnectionError" in problems["redis"]
    # The real Redis of these machines (our logical database 5) answers.
    redis_url = os.environ.get("VENUECODE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    assert _problems(Readiness(engine, redis_url, 2)) == {}


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def citizen(client: TestClient, settings: Settings, db: Session, clock: FixedClock
            ) -> tuple[dict[str, str], str]:
    headers = sign_in(client, settings, "13700000091")
    number = factories.id_number(91)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "张三"},
                      headers=headers).status_code == 200
    f.healthy(db, number, clock.now())
    db.commit()
    return headers, number


def test_metrics_count_scans_by_verdict_and_requests_by_route(
        client: TestClient, settings: Settings, db: Session,
        citizen: tuple[dict[str, str], str]) -> None:
    headers, number = citizen
    before = (_metric("venuecode_scans_total", verdict="pass", channel="api"),
              _metric("venuecode_scan_seconds_count", channel="api"),
              _metric("venuecode_http_requests_total", route="/api/v1/scans", method="POST",
                      status="201"))
    assert client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                       headers=headers).json()["decision"] == "pass"
    after = (_metric("venuecode_scans_total", verdict="pass", channel="api"),
             _metric("venuecode_scan_seconds_count", channel="api"),
             _metric("venuecode_http_requests_total", route="/api/v1/scans", method="POST",
                     status="201"))
    assert [b + 1 for b in before] == list(after)
    with TestClient(client.app, client=("127.0.0.1", 40000)) as local:
        text = local.get("/metrics").text
    assert 'venuecode_scans_total{channel="api",verdict="pass"}' in text
    assert number not in text and "13700000091" not in text


def test_metrics_are_only_for_the_loopback_address_without_a_proxy(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 403  # the test client is not loopback
    with TestClient(client.app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/metrics").status_code == 200
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_metrics_with_a_token_need_the_token(settings: Settings, engine: Engine,
                                             session_factory: object) -> None:
    from venuecode.web.app import create_app

    s = settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})
    app = create_app(s, engine=engine, factory=session_factory)  # type: ignore[arg-type]
    with TestClient(app, client=("127.0.0.1", 40000)) as c:
        assert c.get("/metrics").status_code == 403
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = c.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert ok.status_code == 200
    assert "venuecode_http_requests_total" in ok.text


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_the_access_log_is_json_and_never_shows_tokens_id_numbers_or_phones(
        client: TestClient, settings: Settings, db: Session,
        citizen: tuple[dict[str, str], str], json_log: io.StringIO) -> None:
    headers, number = citizen
    token = headers["Authorization"].removeprefix("Bearer ")
    code = code_of(db, settings)
    response = client.post("/api/v1/scans", json={"venue_code": code}, headers=headers)
    assert response.status_code == 201
    # Personal data in the path and the query string.
    client.get(f"/api/v1/people/{number}?phone=13700000091&token={token}", headers=headers)
    client.post("/api/v1/auth/sms-code", json={"phone": "13700000091"},
                headers={"X-Request-ID": "req-from-nginx-1"})
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    scan = next(e for e in lines if e.get("route") == "/api/v1/scans")
    assert scan["method"] == "POST" and scan["status"] == 201 and scan["path"] == "/api/v1/scans"
    assert scan["level"] == "info" and scan["logger"] == "venuecode.access"
    assert isinstance(scan["duration_ms"], float) and scan["client"] == "testclient"
    assert scan["request_id"] == response.headers["x-request-id"]
    assert {"time", "message"} <= set(scan)
    assert any(e.get("request_id") == "req-from-nginx-1" for e in lines)
    for secret in (number, "13700000091", token, code.rsplit("/", 1)[-1]):
        assert secret not in text
    assert "[redacted]" in text  # the people path was logged, masked


def test_an_unexpected_error_is_logged_with_the_request_id_and_counted_as_500(
        client: TestClient, json_log: io.StringIO) -> None:
    def boom() -> None:
        raise RuntimeError("broken for 13700000091")

    client.app.add_api_route("/test-boom", boom)
    before = _metric("venuecode_http_requests_total", route="/test-boom", method="GET",
                     status="500")
    response = client.get("/test-boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    error = next(e for e in lines if e["logger"] == "venuecode.web")
    assert error["request_id"] == "boom-1" and error["level"] == "error"
    assert "RuntimeError: broken for [redacted]" in error["exception"]
    assert _metric("venuecode_http_requests_total", route="/test-boom", method="GET",
                   status="500") == before + 1
