"""The deployment of docs/operations.md, for real: `scripts/deploy/cluster.py` starts Debian's
nginx and two `venuecode serve` processes on one database; citizens sign in and scan through
nginx. And a server stopped with SIGTERM answers every scan it had accepted."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.e2e.conftest import _free_port
from tests.e2e.deployment import (
    CLUSTER,
    NGINX,
    cli,
    database_url,
    metric,
    request,
    server_env,
    sign_in,
    stored_scans,
    venue_codes,
    wait_ready,
)
from venuecode.db import make_engine
from venuecode.people.idnumber import make_id_number

DEMO_CITIZEN = "13800000001"  # bound to an identity with a green code by `venuecode demo`


def cluster(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, str(CLUSTER), *args], env=env,
                            capture_output=True, text=True, check=False, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], list[str], Path]]:
    if not Path(NGINX).exists():
        pytest.skip(f"{NGINX} is missing: scripts/test installs Debian's nginx-light")
    listen = f"127.0.0.1:{_free_port()}"
    db_url = database_url(tmp_path, "deploy_cluster")
    env = server_env(tmp_path, db_url, f"http://{listen}")
    cli(env, "demo", "--no-serve")
    run = tmp_path / "run"
    cluster(env, "start", "--run-dir", str(run), "--servers", "2", "--listen", listen)
    try:
        state = json.loads((run / "cluster.json").read_text())
        ports = [f"http://127.0.0.1:{s['port']}" for s in state["servers"]]
        yield f"http://{listen}", env, ports, run
    finally:
        cluster(env, "stop", "--run-dir", str(run), "--timeout", "30")


def test_two_servers_behind_nginx_share_the_scans_and_answer_the_probes(
        two_servers: tuple[str, dict[str, str], list[str], Path], tmp_path: Path) -> None:
    base, env, servers, run = two_servers
    assert request(base, "GET", "/readyz") == (200, {"status": "ready"})
    assert request(base, "GET", "/healthz") == (200, {"status": "ok"})
    assert request(base, "GET", "/metrics")[0] == 404  # never through the public side

    citizen = sign_in(base, tmp_path / "sms.jsonl", DEMO_CITIZEN)
    codes = venue_codes(env)[:8]
    before = [metric(s, "venuecode_scans_total", channel="api") for s in servers]
    results = [request(base, "POST", "/api/v1/scans", {"venue_code": c}, citizen.headers)
               for c in codes]
    assert [status for status, _ in results] == [201] * len(codes)
    assert {body["decision"] for _, body in results} == {"pass"}

    # Both upstreams decided scans, and together exactly the ones sent.
    served = [metric(s, "venuecode_scans_total", channel="api") - b
              for s, b in zip(servers, before, strict=True)]
    assert all(n >= 1 for n in served), served
    assert sum(served) == len(codes)
    assert all(metric(s, "venuecode_http_requests_total", route="/api/v1/scans",
                      status="201") >= 1 for s in servers)
    # nginx logged which upstream took each scan: both ports appear.
    upstreams = {line.rsplit("upstream=", 1)[1].split()[0]
                 for line in (run / "nginx-access.log").read_text().splitlines()
                 if "POST /api/v1/scans" in line}
    assert upstreams == {s.removeprefix("http://") for s in servers}

    # One database behind both: every entry is there once.
    engine = make_engine(env["VENUECODE_DATABASE_URL"])
    with engine.connect() as conn:
        ids = [body["id"] for _, body in results]
        stored = conn.execute(text("SELECT count(*) FROM checkins WHERE id IN ("
                                   + ",".join(str(int(i)) for i in ids) + ")")).scalar()
    engine.dispose()
    assert stored == len(codes)

    # The servers believe nginx's X-Forwarded-For, and nginx overwrites a client's own.
    request(base, "GET", "/healthz-missing", headers={"X-Forwarded-For": "203.0.113.7"})
    deadline = time.monotonic() + 10
    while True:  # the access line is written just after the response is sent
        logs = "".join(p.read_text() for p in run.glob("server-*.log"))
        missing = [json.loads(line) for line in logs.splitlines()
                   if line.startswith("{") and '"/healthz-missing"' in line]
        if missing or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [entry["client"] for entry in missing] == ["127.0.0.1"]
    assert DEMO_CITIZEN not in logs and citizen.token not in logs


def test_a_rolling_restart_fails_no_request(
        two_servers: tuple[str, dict[str, str], list[str], Path]) -> None:
    base, env, _, run = two_servers
    pids = [s["pid"] for s in json.loads((run / "cluster.json").read_text())["servers"]]
    statuses: list[object] = []
    done = threading.Event()

    def traffic() -> None:
        while not done.is_set():
            for method, path in (("GET", "/healthz"), ("POST", "/api/v1/scans")):
                try:  # a POST without a token: 401, and never retried by nginx
                    statuses.append(request(base, method, path, {"venue_code": "x"}, timeout=10)[0])
                except OSError as exc:
                    statuses.append(repr(exc))

    thread = threading.Thread(target=traffic, daemon=True)
    thread.start()
    try:
        out = cluster(env, "restart", "--run-dir", str(run))
    finally:
        done.set()
        thread.join(30)
    assert out.count("restarted server") == 2
    assert len(statuses) > 20
    assert set(statuses) <= {200, 401}, [s for s in statuses if s not in (200, 401)][:5]
    after = [s["pid"] for s in json.loads((run / "cluster.json").read_text())["servers"]]
    assert set(after).isdisjoint(pids)  # new processes, on the same ports
    assert request(base, "GET", "/readyz")[0] == 200


class _Scan(threading.Thread):
    """One scan on its own connection; `sent` is set once the request is on the wire."""

    def __init__(self, port: int, token: str, code: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.code = port, token, code
        self.sent = threading.Event()
        self.status: int | None = None
        self.error: str | None = None
        self.finished_at = 0.0

    def run(self) -> None:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", "/api/v1/scans", json.dumps({"venue_code": self.code}),
                         {"Content-Type": "application/json",
                          "Authorization": f"Bearer {self.token}"})
            self.sent.set()
            response = conn.getresponse()
            response.read()
            self.status = response.status
        except OSError as exc:
            self.error = repr(exc)
            self.sent.set()
        finally:
            self.finished_at = time.monotonic()
            conn.close()


@contextlib.contextmanager
def writers_held(db_url: str) -> Iterator[None]:
    """Hold the check-in tables' write lock, so scans wait inside the server."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = make_engine(db_url)
    with engine.connect() as pg:
        pg.execute(text("LOCK TABLE checkins, denied_attempts IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            pg.rollback()
    engine.dispose()


def _refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_sigterm_answers_and_stores_every_accepted_scan_and_refuses_new_connections(
        tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    db_url = database_url(tmp_path, "deploy_sigterm")
    env = server_env(tmp_path, db_url, base, VENUECODE_PORT=str(port),
                     VENUECODE_SHUTDOWN_DRAIN_SECONDS="1", VENUECODE_SHUTDOWN_TIMEOUT_SECONDS="60")
    cli(env, "demo", "--no-serve")
    codes = venue_codes(env)[:6]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve"], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, server, log)
        numbers = [make_id_number("330106", date(1980, 1, 1 + i), 700 + i) for i in range(3)]
        citizens = [sign_in(base, tmp_path / "sms.jsonl", f"1390000000{i}", (n, "王李赵"[i] + "小明"))
                    for i, n in enumerate(numbers)]
        scans = [_Scan(port, c.token, code) for c in citizens for code in codes]
        with writers_held(db_url):
            for scan in scans:
                scan.start()
            for scan in scans:
                assert scan.sent.wait(30)
            time.sleep(1)  # let the server read them (they now wait for the lock)
            server.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            # Draining: readiness fails first, then the port closes.
            deadline = time.monotonic() + 10
            while request(base, "GET", "/readyz", timeout=5)[0] != 503:
                assert time.monotonic() < deadline, "readiness never turned 503"
                time.sleep(0.05)
            deadline = time.monotonic() + 10
            while not _refuses_connections(port):
                assert time.monotonic() < deadline, "still accepting connections"
                time.sleep(0.05)
            assert all(scan.is_alive() for scan in scans)  # still waiting for the lock
        for scan in scans:
            scan.join(60)
        assert server.wait(60) in (0, -signal.SIGTERM), log.read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert [(s.status, s.error) for s in scans] == [(201, None)] * len(scans)
    assert all(s.finished_at > signalled for s in scans)
    assert stored_scans(db_url, numbers) == len(scans)
    assert "Shutting down" in log.read_text()


def test_a_client_address_from_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
        tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(tmp_path, database_url(tmp_path, "deploy_proxy"), base,
                     VENUECODE_PORT=str(port))
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve"], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, server, log)
        request(base, "GET", "/no-such-page", headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    entries = [json.loads(line) for line in log.read_text().splitlines()
               if line.startswith("{") and '"/no-such-page"' in line]
    assert [e["client"] for e in entries] == ["127.0.0.1"]


def test_metrics_of_several_workers_add_up_and_their_folder_is_removed(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # Several workers need shared limits (VENUECODE_REDIS_URL); Redis runs on these machines.
    env = server_env(tmp_path, database_url(tmp_path, "deploy_workers"), base,
                     VENUECODE_PORT=str(port), TMPDIR=str(tmp_path),
                     VENUECODE_REDIS_URL=os.environ.get("VENUECODE_TEST_REDIS_URL",
                                                        "redis://127.0.0.1:6379/5"))
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve",
                                   "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, server, log)
        folders = list(tmp_path.glob("venuecode-metrics-*"))
        assert len(folders) == 1
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        for _ in range(60):  # a new connection each: the kernel spreads them over the workers
            assert request(base, "GET", "/healthz")[0] == 200
        # Both workers counted some, and one scrape of either shows the sum.
        assert len(list(folders[0].glob("counter_*.db"))) == 2
        assert metric(base, "venuecode_http_requests_total", route="/healthz") == 60
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    assert not folders[0].exists()
