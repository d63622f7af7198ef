"""Two real `venuecode serve` processes on one database and one Redis share every limit.

Own database (a SQLite file, or a fresh PostgreSQL database when the tier runs there), the
demo's accounts and venues, then requests alternating between the two servers.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, _fresh_postgres_database
from tests.support.redis import RedisTarget, fresh_target

DEMO_CITIZEN = "13800000001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "venuecode.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.1)


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory, worker_id: str
             ) -> Iterator[dict[str, str]]:
    tmp_path = tmp_path_factory.mktemp("two")
    if POSTGRES_URL:
        database = _fresh_postgres_database(POSTGRES_URL, f"two_{worker_id}")
    else:
        database = f"sqlite:///{tmp_path / 'two.db'}"
    yield {
        **{k: v for k, v in os.environ.items() if not k.startswith("VENUECODE_")},
        "PYTHONPATH": os.pathsep.join(sys.path),
        "VENUECODE_DATABASE_URL": database,
        "VENUECODE_PUBLIC_URL": "http://127.0.0.1:8000",
        "VENUECODE_DATA_DIR": str(tmp_path / "data"),  # both servers: the same secrets
        "VENUECODE_SMS_BACKEND": "file",
        "VENUECODE_SMS_FILE": str(tmp_path / "sms.jsonl"),
    }
    if POSTGRES_URL:
        url = make_url(database)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[RedisTarget]:
    yield from fresh_target()


@pytest.fixture(scope="module")
def two_servers(base_env: dict[str, str], shared_redis: RedisTarget
                ) -> Iterator[tuple[list[str], str, Path]]:
    """Started once for the module: the tests use different accounts and phones."""
    env = {**base_env, "VENUECODE_REDIS_URL": shared_redis.url,
           "VENUECODE_REDIS_PREFIX": shared_redis.prefix}
    tmp_path = Path(env["VENUECODE_DATA_DIR"]).parent
    demo = _cli(env, "demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    venue_code = re.findall(r"http://\S+/s/\S+", demo.stdout)[0]
    urls, processes = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"server-{name}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "venuecode.cli.main", "serve", "--port", str(port)],
                env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_healthy(urls[-1], process, log)
        yield urls, venue_code, Path(env["VENUECODE_SMS_FILE"])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _last_code(sms_file: Path, phone: str) -> str:
    lines = [json.loads(line) for line in sms_file.read_text("utf-8").splitlines()]
    return str([m["code"] for m in lines if m["phone"] == phone][-1])


def test_thirty_scans_of_one_account_across_two_servers_accept_twenty(
        two_servers: tuple[list[str], str, Path]) -> None:
    (a, b), venue_code, sms_file = two_servers
    with httpx.Client(timeout=30) as http:
        assert http.post(f"{a}/api/v1/auth/sms-code", json={"phone": DEMO_CITIZEN}
                         ).status_code == 202
        login = http.post(f"{b}/api/v1/auth/login",
                          json={"phone": DEMO_CITIZEN, "code": _last_code(sms_file, DEMO_CITIZEN)})
        assert login.status_code == 200, login.text
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        answers = [http.post(f"{(a, b)[i % 2]}/api/v1/scans", json={"venue_code": venue_code},
                             headers=bearer) for i in range(30)]
    statuses = [r.status_code for r in answers]
    assert statuses.count(201) == 20 and statuses.count(429) == 10, statuses
    assert statuses[:20] == [201] * 20
    assert {r.json()["error"]["code"] for r in answers[20:]} == {"scan_too_frequent"}


def test_an_sms_code_a_minute_holds_across_two_servers(
        two_servers: tuple[list[str], str, Path]) -> None:
    (a, b), _, _ = two_servers
    with httpx.Client(timeout=30) as http:
        assert http.post(f"{a}/api/v1/auth/sms-code", json={"phone": "13912345678"}
                         ).status_code == 202
        again = http.post(f"{b}/api/v1/auth/sms-code", json={"phone": "13912345678"})
    assert again.status_code == 429 and again.json()["error"]["code"] == "sms_too_soon"


def test_two_workers_without_redis_refuse_to_start_and_say_why(
        base_env: dict[str, str]) -> None:
    refused = _cli(base_env, "serve", "--workers", "2", "--port", str(_free_port()))
    assert refused.returncode != 0
    assert "VENUECODE_REDIS_URL" in refused.stdout + refused.stderr


def test_production_without_redis_refuses_to_start_and_says_why(
        base_env: dict[str, str]) -> None:
    env = {**base_env, "VENUECODE_ENVIRONMENT": "production",
           "VENUECODE_PUBLIC_URL": "https://csm.example.gov.cn",
           "VENUECODE_SECRET_KEY": secrets.token_urlsafe(48),
           "VENUECODE_CODE_SIGNING_KEY": secrets.token_urlsafe(48),
           "VENUECODE_SMS_BACKEND": "http", "VENUECODE_SMS_HTTP_URL": "https://sms.internal"}
    refused = _cli(env, "serve", "--port", str(_free_port()))
    assert refused.returncode != 0
    assert "VENUECODE_REDIS_URL" in refused.stdout + refused.stderr
