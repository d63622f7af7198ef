"""Scan throughput: `POST /api/v1/scans` and `GET /healthz` on the same server, same run.

    .venv/bin/python bench/scan/run.py --db sqlite --workers 1
    .venv/bin/python bench/scan/run.py --db postgres --workers 2 --redis-url redis://127.0.0.1:6379/0

Seeds a database with citizens (bound identities, healthy facts) and approved venues, starts
`venuecode serve`, drives it with wrk (Debian package) and prints requests/s and latency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

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


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU used so far by the server's process tree and by all postgres processes.

    The machine is shared: these per-request costs are steadier than requests/s under load
    (postgres includes other users of the cluster, if any).
    """
    rows = _proc_stats()
    tree = {server_pid}
    for _ in range(3):
        tree |= {pid for pid, ppid, _, _ in rows if ppid in tree}
    return {"server": sum(c for pid, _, _, c in rows if pid in tree),
            "postgres": sum(c for _, _, comm, c in rows if comm == "postgres"),
            "redis": sum(c for _, _, comm, c in rows if comm == "redis-server")}


def wrk(url: str, seconds: int, connections: int, script: Path | None,
        extra_env: dict[str, str], server_pid: int) -> dict[str, object]:
    before = cpu_seconds(server_pid)
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True,
                         env={**os.environ, **extra_env}).stdout
    after = cpu_seconds(server_pid)
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
    return {"rps": rate, "p50_ms": pct("50"), "p99_ms": pct("99"),
            "server_cpu_ms_per_req": round((after["server"] - before["server"]) * 1000 / count,
                                           3),
            "postgres_cpu_ms_per_req": round(
                (after["postgres"] - before["postgres"]) * 1000 / count, 3),
            "redis_cpu_ms_per_req": round((after["redis"] - before["redis"]) * 1000 / count, 3),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else "",
            "statuses": status.group(1).strip() if status else "", "raw": out}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=6000)
    parser.add_argument("--venues", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis-url", default=None,
                        help="VENUECODE_REDIS_URL for the server (rate limits in Redis); "
                             "needed for --workers > 1")
    parser.add_argument("--pg-database", default="venuecode_bench",
                        help="PostgreSQL database to (re)create for the run")
    args = parser.parse_args()
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
    server = subprocess.Popen([sys.executable, "-m", "venuecode.cli.main", "serve"],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                              stderr=open(OUT / "scan-server.log", "w"))  # noqa: SIM115
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        health = wrk(f"{base}/healthz", args.seconds, args.connections, None, {}, server.pid)
        scans = wrk(base, args.seconds, args.connections, Path(__file__).with_name("scan.lua"),
                    {"SCAN_PAIRS": str(pairs_file)}, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    summary = {
        "db": args.db, "workers": args.workers, "redis": bool(args.redis_url),
        "connections": args.connections, "seconds": args.seconds,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "healthz": {k: v for k, v in health.items() if k != "raw"},
        "scans": {k: v for k, v in scans.items() if k != "raw"},
        "scan_to_healthz": round(float(scans["rps"]) / float(health["rps"]), 3),  # type: ignore[arg-type]
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
