"""SQLite readers never block: a GET takes no write lock, a write session still does, and a
writer that cannot get the lock answers 503 in words, not a 500.

These run on their own SQLite file (not the shared test database, whose sessions all live
in one outer transaction), with a second real connection holding the write lock the way an
import or another process would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import POSTGRES_URL
from tests.support import factories
from venuecode.config import Settings
from venuecode.db import ReadOnlySession, make_engine, make_sessionmaker, read_session
from venuecode.people.auth import issue_token
from venuecode.people.models import User
from venuecode.schema import create_schema

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's single write lock")


def _short_busy_timeout(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # After the project's own pragmas: a lock wait gives up after 1 s instead of 30 s, so
    # the test fails fast when a read waits for the lock again.
    dbapi_connection.execute("PRAGMA busy_timeout = 1000")


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "readers.db"


@pytest.fixture
def file_engine(db_file: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{db_file}", pool_size=1, max_overflow=0)
    event.listen(engine, "connect", _short_busy_timeout)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(file_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(file_engine)


class WriteLock:
    """Another connection holding SQLite's write lock (as a long import did)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=0)

    def __enter__(self) -> WriteLock:
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_a_read_session_neither_takes_nor_waits_for_the_write_lock(
        factory: sessionmaker[Session], db_file: Path) -> None:
    with factory() as setup:
        factories.user(setup)
        setup.commit()
    with WriteLock(db_file):
        session = read_session(factory)
        try:
            assert session.query(User).count() == 1
            # A second statement in the same (deferred) transaction: still no lock wait.
            assert session.scalar(text("SELECT count(*) FROM venues")) == 0
        finally:
            session.close()
        # A write session still takes the lock up front, so it queues (and here, with the
        # lock held past busy_timeout, gives up) instead of failing mid-transaction.
        with factory() as writer, pytest.raises(OperationalError, match="locked"):
            writer.scalar(text("SELECT 1"))


def test_a_read_session_cannot_write(factory: sessionmaker[Session]) -> None:
    session = read_session(factory)
    try:
        session.add(User(phone="13912345678", role="citizen", real_name="x"))
        with pytest.raises(ReadOnlySession):
            session.flush()
        session.rollback()
        # Below the ORM, SQLite itself refuses (PRAGMA query_only): no write lock is taken.
        with pytest.raises(OperationalError, match="readonly"):
            session.execute(text("DELETE FROM users"))
    finally:
        session.close()
    # The pooled connection (pool_size=1: the same one) can write again afterwards.
    with factory() as writer:
        factories.user(writer)
        writer.commit()
        assert writer.query(User).count() == 1


@pytest.fixture
def live_app(settings: Settings, file_engine: Engine,
             factory: sessionmaker[Session]) -> Iterator[TestClient]:
    from tests.conftest import CSRF_TEST_TOKEN
    from venuecode.web.app import create_app
    from venuecode.web.security import CSRF_COOKIE, CSRF_HEADER

    app = create_app(settings, engine=file_engine, factory=factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        # A browser on one of our pages: the page posts carry the CSRF token.
        client.cookies.set(CSRF_COOKIE, CSRF_TEST_TOKEN)
        client.headers[CSRF_HEADER] = CSRF_TEST_TOKEN
        yield client


def test_get_routes_answer_while_the_write_lock_is_held(
        live_app: TestClient, factory: sessionmaker[Session], settings: Settings,
        db_file: Path) -> None:
    with factory() as setup:
        citizen = factories.user(setup)
        setup.commit()
        token = issue_token(settings.secret("secret_key"), citizen)
    auth = {"Authorization": f"Bearer {token}"}
    with WriteLock(db_file):
        me = live_app.get("/api/v1/me", headers=auth)
        assert me.status_code == 200, me.text
        assert me.json()["phone"] == citizen.phone
        assert live_app.get("/api/v1/me/scans", headers=auth).status_code == 200
        assert live_app.get("/api/v1/me/access-log", headers=auth).status_code == 200
        page = live_app.get("/me/scans", headers={**auth, "accept": "text/html"})
        assert page.status_code == 200, page.text
        # A write behind the lock past busy_timeout: 503 in words, with a retry hint.
        busy = live_app.post("/api/v1/auth/sms-code", json={"phone": "13912345670"})
        assert busy.status_code == 503, busy.text
        assert busy.json()["error"]["code"] == "database_busy"
        assert "系统繁忙" in busy.json()["error"]["message_zh"]
        assert busy.headers["retry-after"] == "1"
        page = live_app.post("/login", data={"phone": "13912345671"},
                             headers={"accept": "text/html"})
        assert page.status_code == 503
        assert "系统繁忙" in page.text
    # The lock gone, the same write goes through.
    assert live_app.post("/api/v1/auth/sms-code",
                         json={"phone": "13912345672"}).status_code == 202
