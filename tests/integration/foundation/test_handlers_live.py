"""A handler waiting on a database lock leaves the event loop free: a real server (uvicorn)
on its own PostgreSQL database answers other requests meanwhile.

PostgreSQL only: there the wait is visible (`pg_stat_activity`), so the test knows the
request is blocked before it asks for another page. On SQLite every session takes the
write lock up front, in a dependency that already runs in the threadpool.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import POSTGRES_URL, _fresh_postgres_database, sign_in
from tests.support import factories
from venuecode.config import Settings
from venuecode.db import make_engine
from venuecode.people.models import User
from venuecode.schema import create_schema

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (VENUECODE_TEST_DATABASE_URL)")


@dataclass
class Live:
    url: str
    engine: Engine


@pytest.fixture
def live(settings: Settings, worker_id: str) -> Iterator[Live]:
    # Its own database: the server commits for real, unlike the rolled-back test sessions.
    url = _fresh_postgres_database(POSTGRES_URL, f"{worker_id}_live")
    engine = make_engine(url)
    create_schema(engine)
    from venuecode.web.app import create_app

    app = create_app(settings.model_copy(update={"database_url": url}), engine=engine)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{sock.getsockname()[1]}", engine)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.dispose()
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")) or 0)


def test_a_form_post_waiting_on_a_row_lock_does_not_stall_other_requests(
        live: Live, settings: Settings) -> None:
    with Session(live.engine) as db:
        citizen = factories.user(db)
        db.commit()
        user_id, phone = citizen.id, citizen.phone
    with httpx.Client(base_url=live.url, timeout=30) as client, \
            ThreadPoolExecutor(1) as pool, live.engine.connect() as holder:
        headers = {**sign_in(client, settings, phone), "accept": "text/html"}
        # Another transaction holds the account's row, as a concurrent change would.
        holder.execute(text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_id})
        bind: Future[httpx.Response] = pool.submit(
            client.post, "/me/identity", headers=headers,
            data={"id_number": factories.id_number(41), "name": "王小明"})
        deadline = time.monotonic() + 20
        while _waiting_on_a_lock(live.engine) == 0:
            assert not bind.done(), bind.result().text
            assert time.monotonic() < deadline, "the form post never waited on the lock"
            time.sleep(0.05)
        # The event loop is free: another request is answered while the post still waits.
        try:
            health = httpx.get(f"{live.url}/healthz", timeout=10)
        except httpx.TimeoutException:
            pytest.fail("the event loop is blocked: a handler waits on the database in it")
        assert health.status_code == 200 and not bind.done()
        holder.rollback()
        assert bind.result(timeout=20).status_code == 303
    with Session(live.engine) as db:
        stored = db.get(User, user_id)
        assert stored is not None and stored.real_name == "王小明"
