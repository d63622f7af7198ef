"""The scan scenario: seed, serve, load, `kill -9` every server process, restart, verify;
R rounds on one database (each round's acknowledged check-ins are checked again after
every later crash)."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.durability.scanload import Ack, LoadResult, plan, run_load
from bench.durability.servers import ServerGroup
from bench.durability.verify import Verdict, verify
from bench.seeding import seed


@dataclass(frozen=True)
class ScanConfig:
    rounds: int = 6
    users_per_round: int = 200
    venues: int = 60
    scans_each: int = 5  # per citizen and round, at different venues (flood limit: 20/min)
    threads: int = 16
    processes: int = 1
    workers: int = 2
    max_seconds: float = 30.0  # kill at the latest this long after the load starts
    seed: int = 1
    redis_url: str | None = None
    # First a round without a kill: wrong rows there come from concurrent writers alone.
    baseline: bool = False


@dataclass
class ScanRound:
    index: int
    load: LoadResult
    verdict: Verdict
    restart_s: float


def server_env(database_url: str, data_dir: Path, public_url: str,
               redis_url: str | None) -> dict[str, str]:
    env = {
        "VENUECODE_DATABASE_URL": database_url,
        "VENUECODE_PUBLIC_URL": public_url,
        "VENUECODE_DATA_DIR": str(data_dir),
        "VENUECODE_SMS_BACKEND": "file",
        "VENUECODE_SMS_FILE": str(data_dir / "sms.jsonl"),
        "VENUECODE_ENVIRONMENT": "development",
    }
    if redis_url:
        env["VENUECODE_REDIS_URL"] = redis_url  # shared limits: required for workers > 1
        # Keys of their own: another run's (or test's) counts for the same user ids must
        # not refuse these scans.
        env["VENUECODE_REDIS_PREFIX"] = f"vc-durability-{uuid.uuid4().hex[:12]}"
    return env


def scan_rounds(database_url: str, work_dir: Path, config: ScanConfig,
                on_round: Callable[[ScanRound], None] | None = None) -> list[ScanRound]:
    rng = random.Random(config.seed)
    group = ServerGroup({}, work_dir / "logs", config.processes, config.workers)
    group.env = server_env(database_url, work_dir / "data", group.urls[0], config.redis_url)
    slices = config.rounds + config.baseline
    seeded = seed(group.env, config.users_per_round * slices, config.venues)
    per_round = len(seeded.citizens) // slices
    acks: list[Ack] = []
    results: list[ScanRound] = []
    group.start()
    try:
        for r in range(0 if config.baseline else 1, config.rounds + 1):
            citizens = seeded.citizens[(r - 1 + config.baseline) * per_round:][:per_round]
            tasks = plan(citizens, seeded.venues, config.scans_each, rng)
            if r == 0:  # the baseline: every task answered, nothing killed
                load = run_load(group.urls, tasks, threads=config.threads, kill=lambda: 0,
                                rng=rng, max_seconds=config.max_seconds * 10,
                                kill_between=(1.0, 1.0))
            else:
                load = run_load(group.urls, tasks, threads=config.threads, kill=group.kill,
                                rng=rng, max_seconds=config.max_seconds)
            acks.extend(load.acks)
            started = time.monotonic()
            if r > 0:
                group.start()  # the same database and ports, after the crash
            restart_s = time.monotonic() - started
            # Checked before any new scan: a later scan of the same person would relink
            # (and so repair) a row a crash left wrong.
            verdict = verify(database_url, acks)
            results.append(ScanRound(r, load, verdict, restart_s))
            if on_round is not None:
                on_round(results[-1])
    finally:
        group.stop()
    return results
