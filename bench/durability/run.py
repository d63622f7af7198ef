"""Durability under `kill -9`, on SQLite and PostgreSQL (results in README.md).

    .venv/bin/python bench/durability/run.py --db sqlite --rounds 6
    .venv/bin/python bench/durability/run.py --db postgres --rounds 6 \
        --postgres postgresql://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/8
    .venv/bin/python bench/durability/run.py --db sqlite --only import --rows 200000

Scans: seeds citizens and venues, starts `venuecode serve`, sends a bounded concurrent
scan load, `kill -9`s every server process (each server's process group: the uvicorn
master and its workers) at a random moment mid-load, restarts, and checks that every
acknowledged check-in is stored and every `next_scanned_at` equals its definition.
Import: `venuecode import checkins` of a generated file, `kill -9` after its first
chunk, the same import again: exactly the file's rows, and the killed batch
`interrupted`. Exits 1 if anything was lost or wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the `bench` package

from bench.durability.databases import fresh_postgres, fresh_sqlite  # noqa: E402
from bench.durability.imports import ImportConfig, import_kill  # noqa: E402
from bench.durability.scans import ScanConfig, ScanRound, scan_rounds  # noqa: E402

OUT = ROOT / "bench/out/durability"


def database(kind: str, postgres: str, name: str) -> str:
    if kind == "sqlite":
        return fresh_sqlite(OUT, name)
    return fresh_postgres(postgres, f"vc_durability_{name}")


def print_round(r: ScanRound) -> None:
    load, v = r.load, r.verdict
    label = f"round {r.index}" if r.index else "round 0 (baseline, not killed)"
    print(f"{label}: {len(load.acks)} acknowledged of {load.planned} planned; killed "
          f"{load.killed_processes} processes after {load.killed_after_s:.2f}s / "
          f"{load.killed_after_answers} answers; restart {r.restart_s:.1f}s; stored rows "
          f"{v.rows} ({v.unacknowledged} never acknowledged); acknowledged check-ins so far "
          f"{v.acked_checkins}; lost {len(v.lost)}; wrong next_scanned_at {len(v.wrong_next)} "
          f"({v.wrong_next_by_crash} next to an unacknowledged row); answers "
          f"{dict(load.statuses)}",
          flush=True)
    for ack, row in v.lost[:10]:
        print(f"  LOST {ack} stored as {row}")
    for row, want in v.wrong_next[:10]:
        print(f"  WRONG next_scanned_at {row}: expected {want}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL; a fresh vc_durability_* database is made")
    parser.add_argument("--redis", default=os.environ.get("VENUECODE_REDIS_URL"),
                        help="VENUECODE_REDIS_URL for the servers (needed for --workers > 1)")
    parser.add_argument("--only", choices=["scans", "import"], default=None)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--users", type=int, default=200, help="citizens per round")
    parser.add_argument("--venues", type=int, default=60)
    parser.add_argument("--scans-each", type=int, default=5)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip round 0 (the same load, not killed)")
    parser.add_argument("--rows", type=int, default=200_000, help="check-ins in the import file")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load before: {uptime}", flush=True)
    failed = False
    summary: dict[str, object] = {"db": args.db}
    if args.only in (None, "scans"):
        config = ScanConfig(rounds=args.rounds, users_per_round=args.users, venues=args.venues,
                            scans_each=args.scans_each, threads=args.threads,
                            processes=args.processes, workers=args.workers, seed=args.seed,
                            redis_url=args.redis, baseline=not args.no_baseline)
        url = database(args.db, args.postgres, "scans")
        rounds = scan_rounds(url, OUT / f"scans-{args.db}", config, print_round)
        last = rounds[-1].verdict
        base = rounds[0].verdict if rounds[0].index == 0 else None
        summary["scans"] = {
            "kill_rounds": sum(1 for r in rounds if r.index > 0),
            "baseline_wrong_next_scanned_at": None if base is None else len(base.wrong_next),
            "processes": args.processes, "workers": args.workers,
            "acknowledged_checkins": last.acked_checkins, "acknowledged_denials": last.acked_denials,
            "stored_rows": last.rows, "stored_unacknowledged": last.unacknowledged,
            "lost": len(last.lost), "wrong_next_scanned_at": len(last.wrong_next),
            "wrong_next_next_to_unacknowledged": last.wrong_next_by_crash,
            "killed_processes": [r.load.killed_processes for r in rounds],
            "killed_after_answers": [r.load.killed_after_answers for r in rounds],
        }
        failed |= not all(r.verdict.ok for r in rounds)
    if args.only in (None, "import"):
        url = database(args.db, args.postgres, "import")
        result = import_kill(url, OUT / f"import-{args.db}", ImportConfig(rows=args.rows, seed=args.seed))
        summary["import"] = result.as_dict()
        failed |= not result.ok
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load after: {uptime}")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
