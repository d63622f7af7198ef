"""schemathesis against the whole OpenAPI of a real server: no input gets a 5xx.

A real uvicorn server on 127.0.0.1 (a free port) and its own database: a SQLite file, or a
fresh PostgreSQL database when `VENUECODE_TEST_DATABASE_URL` is set. Every operation is
fuzzed as each of four callers (anonymous, a citizen with a bound identity, a system
admin, a tracing supervisor); only `not_a_server_error` is checked (4xx, including 429s from the rate limits,
are right answers to nonsense). Bounded: `SCHEMATHESIS_MAX_EXAMPLES` cases per operation
and caller (default 40). `scripts/test` runs it on both databases (`-m schemathesis`); the
request and 5xx counts go to `$VENUECODE_TEST_ARTIFACTS/schemathesis-<database>.json`
(the proof routes: `schemathesis-<database>-proofs.json`).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import POSTGRES_URL, _fresh_postgres_database
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine
from venuecode.people.auth import issue_token
from venuecode.schema import create_schema

pytestmark = pytest.mark.schemathesis
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"))
ROLES = ("anonymous", "citizen", "system_admin", "tracing_supervisor")


@dataclass
class Live:
    url: str
    database: str
    headers: dict[str, dict[str, str]]
    requests: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, worker_id: str,
         request: pytest.FixtureRequest) -> Iterator[Live]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    if POSTGRES_URL:
        url = _fresh_postgres_database(POSTGRES_URL, f"{worker_id}_schemathesis")
    else:
        url = f"sqlite:///{tmp / 'schemathesis.db'}"
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test", database_url=url, data_dir=tmp / "data",
        public_url="http://127.0.0.1",
        secret_key="test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        code_signing_key="test-code-key-0123456789abcdefghijklmnopqrstuvwxyz",
        sms_backend="file", sms_file=tmp / "sms.jsonl", redis_url=None,
    )
    set_settings(s)
    engine = make_engine(url)
    create_schema(engine)
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with Session(engine, expire_on_commit=False) as session:
        citizen = factories.user(session, Role.CITIZEN)
        citizen.id_number, citizen.real_name = factories.id_number(), "王五"
        admin = factories.user(session, Role.SYSTEM_ADMIN)
        supervisor = factories.user(session, Role.TRACING_SUPERVISOR)
        factories.venue(session)
        session.commit()
        headers["citizen"] = {"Authorization": f"Bearer {issue_token(s.secret('secret_key'), citizen)}"}
        headers["system_admin"] = {
            "Authorization": f"Bearer {issue_token(s.secret('secret_key'), admin, second_factor=True)}"}
        headers["tracing_supervisor"] = {
            "Authorization": f"Bearer {issue_token(s.secret('secret_key'), supervisor, second_factor=True)}"}
    from venuecode.web.app import create_app

    app = create_app(s, engine=engine)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    name = "postgresql" if POSTGRES_URL else "sqlite"
    state = Live(f"http://127.0.0.1:{sock.getsockname()[1]}", name, headers)
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.dispose()
        set_settings(None)
        if POSTGRES_URL:
            admin_engine = create_engine(make_url(url).set(database="postgres"),
                                         isolation_level="AUTOCOMMIT")
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            admin_engine.dispose()
        figures = {"database": name, "max_examples": MAX_EXAMPLES,
                   "requests": dict(state.requests), "server_errors": dict(state.server_errors),
                   "examples": state.examples[:50]}
        artifacts = Path(os.environ.get("VENUECODE_TEST_ARTIFACTS", tmp))
        artifacts.mkdir(parents=True, exist_ok=True)
        # One file per test module (the proof routes' module reuses this fixture).
        module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_schemathesis")
        (artifacts / f"schemathesis-{name}{module.replace('_', '-')}.json").write_text(
            json.dumps(figures, ensure_ascii=False, indent=1), "utf-8")
        print(f"\nschemathesis on {name}: requests {dict(state.requests)}, "
              f"5xx {dict(state.server_errors)}")


def _fuzz(live: Live, role: str) -> list[str]:
    """Every operation as `role`, `MAX_EXAMPLES` cases each; the 5xx answers, described."""
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    found: list[str] = []
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def one(case) -> None:  # type: ignore[no-untyped-def]
            # Requests go only to the live server on 127.0.0.1.
            response = case.call(base_url=live.url, headers=live.headers[role], timeout=30)
            live.requests[role] += 1
            if response.status_code >= 500:
                live.server_errors[role] += 1
                found.append(f"{role}: {case.method} {response.request.url} -> "
                             f"{response.status_code} {response.text[:200]}")
            case.validate_response(response, checks=[not_a_server_error])

        before = len(found)
        try:
            one()
        except Exception:
            if len(found) == before:
                raise  # not a 5xx: the harness itself broke
            # Counted and described in `found`: go on to the next operation.
    live.examples.extend(found)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_input_gets_a_server_error(live: Live, role: str) -> None:
    found = _fuzz(live, role)
    assert live.requests[role] > 100
    assert not found, f"{len(found)} server errors:\n" + "\n".join(found[:30])
