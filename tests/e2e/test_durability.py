"""`kill -9` of every server process mid scan load, and of an import mid-file, on real
processes: every acknowledged check-in survives, every `next_scanned_at` stays true, and a
killed import re-runs to exactly its file with its batch marked interrupted.

The bounded version of bench/durability/run.py (same code, one round, small load). SQLite
always; PostgreSQL when VENUECODE_TEST_DATABASE_URL names a server (a fresh database is
made there; scripts/test runs `-k postgres` in its PostgreSQL pass). With
VENUECODE_TEST_REDIS_URL the two servers share limits in Redis. The kill moment is random:
set VENUECODE_TEST_DURABILITY_SEED to replay a failure (the seed is in its message).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.durability.databases import drop_postgres, fresh_postgres, fresh_sqlite
from bench.durability.imports import ImportConfig, import_kill
from bench.durability.scans import ScanConfig, scan_rounds

POSTGRES = os.environ.get("VENUECODE_TEST_DATABASE_URL", "")
REDIS = os.environ.get("VENUECODE_TEST_REDIS_URL", "")
SEED = int(os.environ.get("VENUECODE_TEST_DURABILITY_SEED") or random.SystemRandom().randrange(10**6))

DATABASES = ["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="VENUECODE_TEST_DATABASE_URL is not set")])]


@pytest.fixture(params=DATABASES)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str
                   ) -> Iterator[str]:
    if request.param == "sqlite":
        yield fresh_sqlite(tmp_path / "db", "durability")
        return
    base = POSTGRES.rsplit("/", 1)[-1] or "venuecode_test"
    test = request.function.__name__.removeprefix("test_")[:10]
    url = fresh_postgres(POSTGRES, f"{base}_durability_{worker_id}_{test}")
    yield url
    drop_postgres(url)


def test_acknowledged_scans_survive_kill_9_of_every_server_process(
        fresh_database: str, tmp_path: Path) -> None:
    # Two single-process servers: they start several times faster than one with two
    # workers on a loaded machine (bench/durability/run.py kills the latter too).
    config = ScanConfig(rounds=1, users_per_round=60, venues=20, scans_each=4, threads=8,
                        processes=2, workers=1, max_seconds=8, seed=SEED,
                        redis_url=REDIS or None)
    [run] = scan_rounds(fresh_database, tmp_path, config)
    load, verdict = run.load, run.verdict
    replay = f"(VENUECODE_TEST_DURABILITY_SEED={SEED}; logs in {tmp_path / 'logs'})"
    # The kill hit a running load: some scans answered, some never sent.
    assert 0 < len(load.acks) < load.planned, (load, replay)
    # Every process of every server was killed: master and workers (+ helpers).
    assert load.killed_processes >= config.processes * (1 + (config.workers > 1) * config.workers)
    assert verdict.acked_checkins == len(load.acks) > 0
    assert verdict.lost == [], f"acknowledged check-ins missing or changed {replay}"
    assert verdict.wrong_next == [], (
        f"{len(verdict.wrong_next)} wrong next_scanned_at, {verdict.wrong_next_by_crash} next to "
        f"a row written but never acknowledged {replay}")


def test_a_killed_import_reruns_to_exactly_its_rows_and_is_marked_interrupted(
        fresh_database: str, tmp_path: Path) -> None:
    # Two chunks (20,000 and 10,000 rows): killed once the first is stored.
    result = import_kill(fresh_database, tmp_path,
                         ImportConfig(rows=30_000, persons=5_000, venues=50, seed=SEED,
                                      kill_between=(0.05, 0.6), timeout=120))
    assert result.problems == [], (result.as_dict(), f"seed {SEED}")
    assert result.killed_status_after == "interrupted"
    assert result.stored_after == result.rows and not result.missing and not result.extra
