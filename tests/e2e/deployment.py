"""Helpers for the deployment tests: a database for real server processes, the API flow
(SMS sign-in, identity, scan) over plain HTTP, and reading back what was stored."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from venuecode.db import make_engine
from venuecode.scans.models import Checkin, DeniedAttempt

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "scripts/deploy/cluster.py"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")


def database_url(tmp: Path, name: str) -> str:
    """SQLite file in tmp; a fresh PostgreSQL database when VENUECODE_TEST_DATABASE_URL is set."""
    postgres = os.environ.get("VENUECODE_TEST_DATABASE_URL", "")
    if postgres:
        from tests.conftest import _fresh_postgres_database

        return _fresh_postgres_database(postgres, name)
    return f"sqlite:///{tmp / 'deploy.db'}"


def server_env(tmp: Path, db_url: str, public_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VENUECODE_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]),
        "VENUECODE_ENVIRONMENT": "test",
        "VENUECODE_DATABASE_URL": db_url,
        "VENUECODE_PUBLIC_URL": public_url,
        "VENUECODE_DATA_DIR": str(tmp / "data"),
        "VENUECODE_SECRET_KEY": "deploy-test-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "VENUECODE_CODE_SIGNING_KEY": "deploy-test-code-key-0123456789abcdefghijklmnopqrstuvw",
        "VENUECODE_SMS_BACKEND": "file",
        "VENUECODE_SMS_FILE": str(tmp / "sms.jsonl"),
        "VENUECODE_LOG_FORMAT": "json",
    })
    if os.environ.get("VENUECODE_TEST_REDIS_URL"):
        env["VENUECODE_REDIS_URL"] = os.environ["VENUECODE_TEST_REDIS_URL"]
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "venuecode.cli.main", *args], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def venue_codes(env: dict[str, str]) -> list[str]:
    """The URL of every approved venue of the demo city."""
    rows = [line.split("\t") for line in cli(env, "venues", "list").splitlines()]
    return [r[-1] for r in rows if len(r) > 2 and r[1] == "approved"]


def request(base: str, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, data, {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode(errors="replace")


@dataclass
class Citizen:
    phone: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sms_code(sms_file: Path, phone: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if sms_file.exists():
            for line in reversed(sms_file.read_text("utf-8").splitlines()):
                message = json.loads(line)
                if message["phone"] == phone:
                    return str(message["code"])
        time.sleep(0.05)
    raise AssertionError(f"no SMS for {phone}")


def sign_in(base: str, sms_file: Path, phone: str, identity: tuple[str, str] | None = None
            ) -> Citizen:
    status, body = request(base, "POST", "/api/v1/auth/sms-code", {"phone": phone})
    assert status == 202, body
    status, body = request(base, "POST", "/api/v1/auth/login",
                           {"phone": phone, "code": sms_code(sms_file, phone)})
    assert status == 200, body
    citizen = Citizen(phone, body["access_token"])
    if identity is not None:
        number, name = identity
        status, body = request(base, "PUT", "/api/v1/me/identity",
                               {"id_number": number, "name": name}, citizen.headers)
        assert status == 200, body
    return citizen


def stored_scans(db_url: str, numbers: list[str]) -> int:
    """Check-ins plus denied attempts of these persons, as the database holds them."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            entries = conn.scalar(select(func.count(Checkin.id)).where(
                Checkin.id_number.in_(numbers))) or 0
            denied = conn.scalar(select(func.count(DeniedAttempt.id)).where(
                DeniedAttempt.id_number.in_(numbers))) or 0
    finally:
        engine.dispose()
    return entries + denied


def wait_ready(base: str, process: subprocess.Popen[bytes] | None = None,
               log: Path | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request(base, "GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{base} not ready:\n{log.read_text()[-3000:] if log else ''}")


def metric(base: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples that carry these labels, from a server's own /metrics
    (asked directly, from the loopback address)."""
    status, text = request(base, "GET", "/metrics")
    assert status == 200, text
    total = 0.0
    for line in str(text).splitlines():
        sample, _, value = line.rpartition(" ")
        metric_name, _, label_text = sample.partition("{")
        if metric_name != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total
