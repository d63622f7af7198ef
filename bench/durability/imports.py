"""The import scenario: `venuecode import checkins` of a large file, `kill -9` mid-way
(after some chunks are committed), the same import again. It must end with exactly the
file's rows (no duplicate, none missing, by the natural key), every `next_scanned_at`
true, and the killed batch marked `interrupted`, not left `running`."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.durability.databases import reader_engine
from bench.durability.scanload import micros
from bench.durability.verify import expected_next, stored_checkins
from sqlalchemy import text

Key = tuple[str, int, str]  # id_number, scanned_at micros, venue_id


@dataclass(frozen=True)
class ImportConfig:
    rows: int = 200_000
    persons: int = 20_000
    venues: int = 200
    seed: int = 1
    kill_between: tuple[float, float] = (0.1, 0.6)  # of the rows stored when killed
    timeout: float = 600.0


@dataclass
class ImportResult:
    rows: int
    kill_after_s: float = 0.0
    stored_at_kill: int = 0
    killed_batch: int | None = None
    killed_status_before: str | None = None
    killed_status_after: str | None = None
    rerun_exit: int | None = None
    rerun: dict[str, object] = field(default_factory=dict)
    stored_after: int = 0
    missing: int = 0
    extra: int = 0  # duplicates and rows not in the file
    wrong_next: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def write_files(folder: Path, config: ImportConfig) -> tuple[Path, Path, set[Key]]:
    """venues.csv and checkins.csv in the data-interface format; the file's natural keys."""
    from venuecode.people.idnumber import make_id_number

    rng = random.Random(config.seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = list(dict.fromkeys(
        make_id_number("330106", date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
                       rng.randrange(1000)) for _ in range(config.persons)))
    venues = [f"D{i:05d}" for i in range(config.venues)]
    venues_csv = folder / "venues.csv"
    with venues_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["venue_id", "name", "category", "district"])
        w.writerows([v, f"导入场所{v}", "restaurant", "西湖区"] for v in venues)
    # Ten days up to an hour ago, whole seconds, local time +08:00 as the simulator writes.
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    span = 10 * 86_400
    tz = datetime.now(UTC).astimezone().tzinfo
    keys: set[Key] = set()
    checkins_csv = folder / "checkins.csv"
    with checkins_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_number", "venue_id", "scanned_at", "checked_out_at"])
        while len(keys) < config.rows:
            at = end - timedelta(seconds=rng.randrange(span))
            text_at = at.astimezone(tz).isoformat() if tz else at.isoformat()
            key = (ids[rng.randrange(len(ids))], micros(text_at), venues[rng.randrange(len(venues))])
            if key in keys:
                continue
            keys.add(key)
            out = "" if rng.random() < 0.7 else (at + timedelta(minutes=40)).isoformat()
            w.writerow([key[0], key[2], text_at, out])
    return venues_csv, checkins_csv, keys


def _cli(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "venuecode.cli.main", *args],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout)


def _import_venues(env: dict[str, str], venues_csv: Path) -> None:
    """The venues, in this process (one CLI start less: the test is bounded)."""
    from bench.seeding import settings_from_env

    from venuecode.config import set_settings
    from venuecode.db import make_engine, make_sessionmaker
    from venuecode.ingest.service import import_file
    from venuecode.schema import create_schema

    settings = settings_from_env(env)
    set_settings(settings)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        with make_sessionmaker(engine)() as session:
            summary = import_file(session, "venues", venues_csv)
            session.commit()
        if summary.rejected or not summary.accepted:
            raise RuntimeError(f"venue import failed: {summary.counts()}")
    finally:
        engine.dispose()
        set_settings(None)


def import_kill(database_url: str, work_dir: Path, config: ImportConfig) -> ImportResult:
    venues_csv, checkins_csv, keys = write_files(work_dir, config)
    env = {"VENUECODE_DATABASE_URL": database_url, "VENUECODE_DATA_DIR": str(work_dir / "data"),
           "VENUECODE_ENVIRONMENT": "development"}
    result = ImportResult(rows=len(keys))
    _import_venues(env, venues_csv)
    engine = reader_engine(database_url)
    rng = random.Random(config.seed)
    target = max(1, round(rng.uniform(*config.kill_between) * len(keys)))
    try:
        log = (work_dir / "killed-import.log").open("w")
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "venuecode.cli.main", "import", "checkins", str(checkins_csv),
             "--json"], env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        stored = 0
        while proc.poll() is None and stored < target and time.monotonic() - started < config.timeout:
            time.sleep(0.01)
            with engine.connect() as conn:
                stored = int(conn.execute(text("SELECT count(*) FROM checkins")).scalar_one())
        if proc.poll() is not None:
            result.problems.append(f"the import ended (exit {proc.returncode}) before the kill: "
                                   "use a larger file")
            return result
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        result.kill_after_s = round(time.monotonic() - started, 2)
        with engine.connect() as conn:
            result.stored_at_kill = int(conn.execute(text("SELECT count(*) FROM checkins")).scalar_one())
            killed = conn.execute(text("SELECT id, status FROM ingest_batches WHERE kind = 'checkins'"
                                       " ORDER BY id")).all()
        if len(killed) != 1:
            result.problems.append(f"expected one check-in batch after the kill, found {killed}")
            return result
        result.killed_batch, result.killed_status_before = int(killed[0][0]), str(killed[0][1])

        rerun = _cli(env, "import", "checkins", str(checkins_csv), "--json", timeout=config.timeout)
        result.rerun_exit = rerun.returncode
        try:
            result.rerun = json.loads(rerun.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            result.problems.append(f"the rerun printed no summary: {rerun.stdout}{rerun.stderr}")
            return result
        with engine.connect() as conn:
            result.killed_status_after = str(conn.execute(
                text("SELECT status FROM ingest_batches WHERE id = :id"),
                {"id": result.killed_batch}).scalar_one())
            stored_keys = [(str(i), int(t), str(v)) for i, t, v in conn.execute(text(
                "SELECT c.id_number, c.scanned_at, v.venue_id FROM checkins c"
                " JOIN venues v ON v.id = c.venue_pk"))]
    finally:
        engine.dispose()
    result.stored_after = len(stored_keys)
    distinct = set(stored_keys)
    result.missing = len(keys - distinct)
    result.extra = len(stored_keys) - len(distinct) + len(distinct - keys)
    rows = stored_checkins(database_url)
    want = expected_next(rows)
    result.wrong_next = sum(1 for r in rows if r[4] != want[r[0]])
    _judge(result)
    return result


def _judge(r: ImportResult) -> None:
    expected = {"read": r.rows, "accepted": r.rows - r.stored_at_kill, "replaced": 0,
                "unchanged": r.stored_at_kill, "rejected": 0}
    got = {k: r.rerun.get(k) for k in expected}
    if r.rerun_exit != 0 or got != expected:
        r.problems.append(f"rerun exit {r.rerun_exit} counts {got}, expected {expected}")
    if not 0 < r.stored_at_kill < r.rows:
        r.problems.append(f"killed with {r.stored_at_kill} of {r.rows} rows stored: not mid-way")
    if r.killed_status_before != "running":
        r.problems.append(f"the killed batch was {r.killed_status_before!r} before the rerun")
    if r.killed_status_after != "interrupted":
        r.problems.append(f"the killed batch is {r.killed_status_after!r} after the rerun, "
                          "not 'interrupted'")
    if r.missing or r.extra or r.stored_after != r.rows:
        r.problems.append(f"stored {r.stored_after} rows for a file of {r.rows}: "
                          f"{r.missing} missing, {r.extra} extra")
    if r.wrong_next:
        r.problems.append(f"{r.wrong_next} wrong next_scanned_at")
