"""Shared fixtures.

The database under test is SQLite (a fresh file per test session) unless
`VENUECODE_TEST_DATABASE_URL` names a PostgreSQL server database; then a fresh database
per xdist worker is created there. Each test runs inside a transaction that is rolled
back at the end (`join_transaction_mode="create_savepoint"`, as warehouse does), so
tests that commit still leave nothing behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.support.redis import RedisTarget, fresh_target
from venuecode.clock import FixedClock, SystemClock, set_clock
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine
from venuecode.schema import create_schema

POSTGRES_URL = os.environ.get("VENUECODE_TEST_DATABASE_URL", "")


def _fresh_postgres_database(url: str, worker: str) -> str:
    base = make_url(url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://"))
    name = f"{base.database or 'venuecode_test'}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    if POSTGRES_URL:
        return _fresh_postgres_database(POSTGRES_URL, worker_id)
    path = tmp_path_factory.mktemp("db") / "venuecode-test.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A sessionmaker whose sessions all live in one outer transaction, rolled back."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield factory
    outer.rollback()
    connection.close()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2022, 4, 19, 8, 0, tzinfo=UTC))
    set_clock(fixed)
    yield fixed
    set_clock(SystemClock())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Iterator[Settings]:
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        data_dir=tmp_path / "data",
        public_url="http://testserver",
        secret_key="test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        code_signing_key="test-code-key-0123456789abcdefghijklmnopqrstuvwxyz",
        sms_backend="file",
        sms_file=tmp_path / "sms.jsonl",
        # Each app then counts its rate limits in its own memory (limits' MemoryStorage):
        # a test starts with fresh limits. Redis tests set it (`VENUECODE_TEST_REDIS_URL`).
        redis_url=None,
    )
    set_settings(s)
    yield s
    set_settings(None)


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    from venuecode.web.app import create_app

    return create_app(settings, engine=engine, factory=session_factory)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from venuecode.web.security import CSRF_COOKIE, CSRF_HEADER

    with TestClient(app, raise_server_exceptions=False) as test_client:
        # A browser on one of our pages holds the CSRF cookie and sends its token back
        # (tests/integration/foundation/test_csrf.py checks what happens without them).
        test_client.cookies.set(CSRF_COOKIE, CSRF_TEST_TOKEN)
        test_client.headers[CSRF_HEADER] = CSRF_TEST_TOKEN
        yield test_client


CSRF_TEST_TOKEN = "csrf-test-token-0123456789abcdefghijklmnopq"


def read_sms_code(settings: Settings, phone: str) -> str:
    import json

    assert settings.sms_file is not None
    lines = settings.sms_file.read_text("utf-8").splitlines()
    codes = [json.loads(line) for line in lines]
    return [c["code"] for c in codes if c["phone"] == phone][-1]


def sign_in(client, settings: Settings, phone: str, password: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Sign in through the public API; returns the Authorization header."""
    assert client.post("/api/v1/auth/sms-code", json={"phone": phone}).status_code == 202
    code = read_sms_code(settings, phone)
    response = client.post("/api/v1/auth/login", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    if response.json()["second_factor_required"]:
        assert password is not None, "staff sign-in needs the password"
        response = client.post("/api/v1/auth/password", json={"password": password},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def redis_target() -> Iterator[RedisTarget]:
    """The real test Redis (database 2) with a key prefix for this test only."""
    yield from fresh_target()
