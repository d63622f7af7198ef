"""How long other requests wait while a handler waits on a database lock.

    python bench/handlers/lock_stall.py --database-url postgresql://postgres@127.0.0.1:5432/vc_bench_x

Creates that database afresh (dropping it first) and one server (uvicorn, in this
process). Another connection holds a push request's row (`SELECT … FOR UPDATE`) for
`--hold` seconds while a supervisor rejects it through the page
(`POST /tracing/actions/{id}/reject`, which locks the same row); meanwhile `GET /healthz`
is asked every 50 ms. An `async def` handler that runs the query on the event loop stalls
every such request until the lock is released; a plain `def` handler (FastAPI's
threadpool) leaves them at their usual latency. Prints the slowest and median /healthz
latency from the moment the reject waits on the lock (seen in `pg_stat_activity`).
Run it with PYTHONPATH pointing at the code to measure.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.config import Settings
from venuecode.db import make_engine
from venuecode.people.service import create_user
from venuecode.schema import create_schema
from venuecode.tracing.models import Trace, TraceAction

PASSWORD = "bench-password-0123"  # a throwaway account of a throwaway database


def fresh_database(url: str) -> str:
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()
    return base.render_as_string(hide_password=False)


def waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--hold", type=float, default=2.0, help="seconds the row stays locked")
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    engine = make_engine(url)
    create_schema(engine)
    tmp = Path(tempfile.mkdtemp(prefix="vc-lock-stall-"))
    settings = Settings(_env_file=None, environment="test", database_url=url,  # type: ignore[call-arg]
                        data_dir=tmp, public_url="http://127.0.0.1", sms_backend="file",
                        sms_file=tmp / "sms.jsonl",
                        secret_key="bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
                        code_signing_key="bench-code-key-0123456789abcdefghijklmnopqrstuvwxyz")
    now = datetime.now(UTC)
    with Session(engine) as db:
        boss = create_user(db, Actor.cli(), "13900000001", Role.TRACING_SUPERVISOR, "bench",
                           PASSWORD, None)
        trace = Trace(created_at=now, created_by=None, actor="cli", reason="bench", as_of=now,
                      cases="[]")
        db.add(trace)
        db.flush()
        action = TraceAction(trace_id=trace.id, requested_by=None, requested_at=now)
        db.add(action)
        db.commit()
        phone, action_id = boss.phone, action.id

    from venuecode.web.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine=engine),
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with httpx.Client(base_url=base, timeout=args.hold + 30) as client:
        client.post("/api/v1/auth/sms-code", json={"phone": phone}).raise_for_status()
        code = json.loads(settings.sms_file.read_text("utf-8").splitlines()[-1])["code"]  # type: ignore[union-attr]
        token = client.post("/api/v1/auth/login", json={"phone": phone, "code": code}).json()["access_token"]
        token = client.post("/api/v1/auth/password", json={"password": PASSWORD},
                            headers={"Authorization": f"Bearer {token}"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}
        for _ in range(20):  # warm up
            client.get("/healthz")
        with engine.connect() as holder, ThreadPoolExecutor(1) as pool:
            holder.execute(text("SELECT id FROM trace_actions WHERE id = :id FOR UPDATE"),
                           {"id": action_id})
            reject = pool.submit(client.post, f"/tracing/actions/{action_id}/reject",
                                 headers=headers, data={"reason": "bench rejection"})
            while not waiting_on_a_lock(engine):  # the reject now waits for the row
                time.sleep(0.01)
            released = time.monotonic() + args.hold
            threading.Timer(args.hold, holder.rollback).start()
            latencies = []
            while time.monotonic() < released - 0.1:
                start = time.perf_counter()
                httpx.get(f"{base}/healthz", timeout=args.hold + 30)
                latencies.append(time.perf_counter() - start)
                time.sleep(0.05)
            status = reject.result().status_code
    server.should_exit = True
    print(f"lock held {args.hold:.1f} s; reject answered {status}; {len(latencies)} /healthz "
          f"during the wait: slowest {max(latencies) * 1000:.0f} ms, "
          f"median {statistics.median(latencies) * 1000:.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
