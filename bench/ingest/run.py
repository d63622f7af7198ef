"""Benchmark: import N check-ins from CSV into PostgreSQL and SQLite.

    .venv/bin/python bench/ingest/run.py --rows 1000000 \
        --postgres postgresql://postgres@127.0.0.1:5432/venuecode_bench

Generates the CSV once (people, venues and times drawn at random with a fixed seed),
then imports it into each database in a fresh child process, so the peak RSS printed is
that of one import. Rates include reading, validation and writing (the whole command).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent


def generate(path: Path, rows: int, venues: int, people: int, seed: int = 7) -> None:
    from venuecode.people.idnumber import make_id_number

    rng = random.Random(seed)
    ids = [make_id_number("310101", date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
                          rng.randrange(1000)) for _ in range(people)]
    start = datetime(2022, 4, 1, tzinfo=UTC).timestamp()
    span = 17 * 86_400
    with (path.parent / "venues.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["venue_id", "name", "category", "district"])
        w.writerows([f"V{i:06d}", f"Venue {i}", "restaurant", "黄浦区"] for i in range(venues))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_number", "venue_id", "scanned_at", "checked_out_at"])
        for _ in range(rows):
            t = int(start + rng.randrange(span))
            scanned = datetime.fromtimestamp(t, UTC).astimezone().strftime("%Y-%m-%dT%H:%M:%S")
            out = "" if rng.random() < 0.5 else datetime.fromtimestamp(
                t + 1800, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            w.writerow([ids[rng.randrange(people)], f"V{rng.randrange(venues):06d}",
                        scanned + "+08:00" if rng.random() < 0.5 else scanned, out])


def fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
        return
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://"))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()


def copy_anchor(url: str, file: Path) -> None:
    """The physical anchor: a plain COPY of the same CSV into a table with the same two
    indexes as checkins (the natural key and the venue-presence index), same database."""
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS copy_anchor")
        cur.execute("CREATE TABLE copy_anchor (id_number varchar(18), venue_id text,"
                    " scanned_at text, checked_out_at text)")
        cur.execute("CREATE UNIQUE INDEX ON copy_anchor (id_number, scanned_at, venue_id)")
        cur.execute("CREATE INDEX ON copy_anchor (venue_id, scanned_at, id_number, checked_out_at)")
        conn.commit()
        t0 = time.perf_counter()
        with file.open("rb") as f, cur.copy("COPY copy_anchor FROM STDIN (FORMAT csv, HEADER)") as copy:
            while block := f.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - t0
        cur.execute("DROP TABLE copy_anchor")
        conn.commit()
    print(json.dumps({"anchor": "COPY", "seconds": round(seconds, 2)}), flush=True)


def one(url: str, file: Path, chunk: int, drop_fks: bool = False,
        default_partition: bool = False) -> None:
    """Child process: schema, venues, then the timed check-in import; prints JSON."""
    from venuecode.config import Settings, set_settings
    from venuecode.db import make_engine, make_sessionmaker
    from venuecode.ingest.service import import_file
    from venuecode.schema import create_schema

    set_settings(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    engine = make_engine(url)
    if not default_partition:
        # PostgreSQL partitions check-ins by UTC day around "now"; these rows are from April
        # 2022, so the schema (and its day partitions) is made as on the data's last day,
        # as a deployment has the partitions of its recent days.
        from venuecode.clock import FixedClock, set_clock

        set_clock(FixedClock(datetime(2022, 4, 18, 12, tzinfo=UTC)))
    create_schema(engine)
    if drop_fks and not url.startswith("sqlite"):
        # Experiment: how much do the foreign keys of checkins cost the import?
        with engine.begin() as conn:
            for fk in ("batch_id_ingest_batches", "venue_pk_venues"):
                conn.execute(text(f"ALTER TABLE checkins DROP CONSTRAINT fk_checkins_{fk}"))
    factory = make_sessionmaker(engine)
    with factory() as session:
        import_file(session, "venues", file.parent / "venues.csv")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with factory() as session:
        summary = import_file(session, "checkins", file, chunk=chunk)
    seconds = time.perf_counter() - t0
    print(json.dumps({"url": url.split("@")[-1], **summary.counts(), "seconds": round(seconds, 2),
                      "rows_per_s": round(summary.read / seconds),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                           / 1024),
                      "rss_before_import_mb": round(rss_before / 1024)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--venues", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/venuecode-bench"))
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/venuecode_bench")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--drop-checkin-fks", action="store_true",
                        help="PostgreSQL experiment: import without the checkins foreign keys")
    parser.add_argument("--default-partition", action="store_true",
                        help="experiment: PostgreSQL rows all in the default partition (no day partitions)")
    parser.add_argument("--skip-anchor", action="store_true",
                        help="PostgreSQL: skip the plain COPY of the file timed before the import")
    parser.add_argument("--one", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], Path(args.one[1]), args.chunk, args.drop_checkin_fks,
            args.default_partition)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    file = args.dir / f"checkins-{args.rows}.csv"
    if not file.exists():
        t0 = time.perf_counter()
        generate(file, args.rows, args.venues, args.people)
        print(f"generated {file} ({file.stat().st_size >> 20} MiB) in "
              f"{time.perf_counter() - t0:.0f}s", flush=True)
    urls = []
    if not args.skip_postgres:
        urls.append(args.postgres)
    if not args.skip_sqlite:
        urls.append(f"sqlite:///{args.dir}/bench.db")
    for url in urls:
        fresh(url)
        if url.startswith("postgresql") and not args.skip_anchor:
            copy_anchor(url, file)
        flags = ["--drop-checkin-fks"] if args.drop_checkin_fks else []
        flags += ["--default-partition"] if args.default_partition else []
        subprocess.run([sys.executable, __file__, "--chunk", str(args.chunk), *flags, "--one",
                        url, str(file)], check=True)


if __name__ == "__main__":
    main()
