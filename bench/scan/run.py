"""Scan throughput: `POST /api/v1/scans` and `GET /healthz` on the same server, same run.

    .venv/bin/python bench/scan/run.py --db sqlite --workers 1
    .venv/bin/python bench/scan/run.py --db postgres --workers 2 --redis-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/scan/run.py --db postgres --through-nginx --servers 2 \
        --redis-url redis://127.0.0.1:6379/0

Seeds a database with citizens (bound identities, healthy facts) and approved venues, starts
`venuecode serve` (or, with --through-nginx, N servers of one worker each behind a private
nginx, by scripts/deploy/cluster.py), drives it with wrk (Debian package) and prints
requests/s, latency and CPU per request.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench.seeding`, shared with bench/durability

from bench import seeding  # noqa: E402

OUT = ROOT / "bench/out"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(kind: str, pg_name: str = "venuecode_bench") -> str:
    if kind == "sqlite":
        path = OUT / "scan-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
    admin.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{pg_name}"


def seed(env: dict[str, str], users: int, venues: int) -> list[tuple[str, str]]:
    """Citizens and venues; returns (bearer token, venue URL) pairs for the load generator."""
    seeded = seeding.seed(env, users, venues)
    tokens = [c.token for c in seeded.citizens]
    urls = [v.url for v in seeded.venues]
    return [(tokens[i], urls[(i * 31 + j) % len(urls)]) for i in range(len(tokens))
            for j in range(3)]


def _proc_stats() -> list[tuple[int, int, str, float]]:
    """(pid, ppid, command, CPU seconds) of every process, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    rows = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        rows.append((int(entry.name), int(fields[1]), comm,
                     (int(fields[11]) + int(fields[12])) / tick))
    return rows


def _tree(rows: list[tuple[int, int, str, float]], roots: list[int]) -> float:
    tree = set(roots)
    for _ in range(3):
        tree |= {pid for pid, ppid, _, _ in rows if ppid in tree}
    return sum(c for pid, _, _, c in rows if pid in tree)


@dataclass
class Measured:
    """Whose CPU a run counts: the server processes' trees, our nginx's (if any) and the
    postgres backends connected to our database (`pg_database`; None: SQLite)."""
    servers: list[int]
    nginx: int | None = None
    pg_database: str | None = None


def backends(database: str) -> set[int]:
    """Pids of the postgres backends connected to `database` now (the servers' pools)."""
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                          poolclass=NullPool)
    with admin.connect() as conn:
        pids = {int(p) for p in conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database}
        ).scalars()}
    admin.dispose()
    return pids


def cpu_seconds(who: Measured) -> dict[str, float]:
    """CPU used so far by the server processes, nginx, all postgres and redis processes.

    The machine is shared: these per-request costs are steadier than requests/s under load
    (postgres and redis include other users of those servers, if any).
    """
    own = backends(who.pg_database) if who.pg_database else set()
    rows = _proc_stats()
    return {"server": _tree(rows, who.servers),
            "nginx": _tree(rows, [who.nginx]) if who.nginx else 0.0,
            "postgres": sum(c for _, _, comm, c in rows if comm == "postgres"),
            **{f"pg_own_{pid}": c for pid, _, _, c in rows if pid in own},
            "redis": sum(c for _, _, comm, c in rows if comm == "redis-server")}


def wrk(url: str, seconds: int, connections: int, script: Path | None,
        extra_env: dict[str, str], who: Measured) -> dict[str, object]:
    load = os.getloadavg()[0]
    before = cpu_seconds(who)
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True,
                         env={**os.environ, **extra_env}).stdout
    after = cpu_seconds(who)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    status = re.search(r"STATUS(.*)", out)
    # wrk's own count of failures: any non-2xx/3xx answer, and connect/read/timeout errors.
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    done = re.search(r"(\d+) requests in", out)
    count = max(int(done.group(1)) if done else 1, 1)
    per_req = {f"{k}_cpu_ms_per_req": round((after[k] - before[k]) * 1000 / count, 3)
               for k in after if not k.startswith("pg_own_")}
    # postgres_cpu counts every postgres process (other users of the cluster too);
    # postgres_own only the backends connected to this run's database at the end (the
    # pools open theirs during the first run: all of a new backend's CPU counts).
    per_req["postgres_own_cpu_ms_per_req"] = round(sum(
        after[k] - before.get(k, 0.0) for k in after if k.startswith("pg_own_")) * 1000 / count, 3)
    return {"rps": rate, "p50_ms": pct("50"), "p99_ms": pct("99"), **per_req,
            "load_average_1min_before_after": [round(load, 2), round(os.getloadavg()[0], 2)],
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else "",
            "statuses": status.group(1).strip() if status else "", "raw": out}


def _cluster_module() -> ModuleType:
    """scripts/deploy/cluster.py (a script, not a package), loaded as it is deployed."""
    path = ROOT / "scripts/deploy/cluster.py"
    spec = importlib.util.spec_from_file_location("venuecode_cluster", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def wait_healthy(base: str, seconds: float = 120) -> None:
    # Generous: on a loaded 2-core machine two workers took over 30 s to start.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server at {base} did not answer /healthz within {seconds:.0f} s")


@contextmanager
def single_server(env: dict[str, str], port: int, pg_database: str | None
                  ) -> Iterator[tuple[str, Measured]]:
    """One `venuecode serve` (VENUECODE_WORKERS workers) on `port`."""
    server = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve"],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                              stderr=open(OUT / "scan-server.log", "w"))  # noqa: SIM115
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        yield base, Measured([server.pid], None, pg_database)
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def nginx_cluster(env: dict[str, str], listen: str, servers: int, workers: int,
                  pg_database: str | None) -> Iterator[tuple[str, Measured]]:
    """`servers` serve processes behind a private nginx, by cluster.py start/stop."""
    cluster_py = _cluster_module()
    run_dir = OUT / "scan-cluster"
    shutil.rmtree(run_dir, ignore_errors=True)
    os.environ.update(env)  # cluster.py passes its own environment to the servers
    cluster = cluster_py.Cluster(run_dir)
    try:
        cluster.start(servers, workers, listen, True, [], None)
        base = f"http://{listen}"
        wait_healthy(base)
        yield base, Measured([s["pid"] for s in cluster.state["servers"]], cluster.nginx_pid(),
                             pg_database)
    finally:
        cluster.stop(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=None,
                        help="uvicorn workers (per server with --through-nginx); default 2, "
                             "1 with --through-nginx")
    parser.add_argument("--users", type=int, default=6000)
    parser.add_argument("--venues", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis-url", default=None,
                        help="VENUECODE_REDIS_URL for the server (rate limits in Redis); "
                             "needed for --workers > 1")
    parser.add_argument("--pg-database", default="venuecode_bench",
                        help="PostgreSQL database to (re)create for the run")
    parser.add_argument("--through-nginx", action="store_true",
                        help="N servers behind nginx (scripts/deploy/cluster.py start); "
                             "--workers is then per server")
    parser.add_argument("--servers", type=int, default=1,
                        help="with --through-nginx: venuecode serve processes")
    args = parser.parse_args()
    if args.workers is None:
        args.workers = 1 if args.through_nginx else 2  # behind nginx: one process a server
    if args.through_nginx and args.servers > 1 and not args.redis_url:
        sys.exit("--servers > 1 needs --redis-url: each server's rate limits would count alone")
    if args.workers > 1 and not args.redis_url:
        sys.exit("--workers > 1 needs --redis-url: serve refuses several processes whose "
                 "rate limits would each count alone")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        "VENUECODE_DATABASE_URL": database_url(args.db, args.pg_database),
        "VENUECODE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "VENUECODE_DATA_DIR": str(OUT / "data"),
        "VENUECODE_SMS_BACKEND": "file",
        "VENUECODE_SMS_FILE": str(OUT / "sms.jsonl"),
        "VENUECODE_PORT": str(port),
        "VENUECODE_WORKERS": str(args.workers),
    }
    if args.redis_url:
        env["VENUECODE_REDIS_URL"] = args.redis_url
        env["VENUECODE_REDIS_PREFIX"] = f"vc-bench-{os.getpid()}"
    t0 = time.monotonic()
    pairs = seed(env, args.users, args.venues)
    pairs_file = OUT / "scan-pairs.tsv"
    pairs_file.write_text("".join(f"{t}\t{u}\n" for t, u in pairs))
    print(f"seeded {args.users} citizens, {args.venues} venues in {time.monotonic() - t0:.1f}s")
    pg_database = args.pg_database if args.db == "postgres" else None
    serving = (nginx_cluster(env, f"127.0.0.1:{port}", args.servers, args.workers, pg_database)
               if args.through_nginx else single_server(env, port, pg_database))
    with serving as (base, who):
        health = wrk(f"{base}/healthz", args.seconds, args.connections, None, {}, who)
        scans = wrk(base, args.seconds, args.connections, Path(__file__).with_name("scan.lua"),
                    {"SCAN_PAIRS": str(pairs_file)}, who)
    summary = {
        "db": args.db, "nginx": args.through_nginx,
        "servers": args.servers if args.through_nginx else 1,
        "workers": args.workers, "redis": bool(args.redis_url),
        "connections": args.connections, "seconds": args.seconds,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "healthz": {k: v for k, v in health.items() if k != "raw"},
        "scans": {k: v for k, v in scans.items() if k != "raw"},
        "scan_to_healthz": round(float(scans["rps"]) / float(health["rps"]), 3),  # type: ignore[arg-type]
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
