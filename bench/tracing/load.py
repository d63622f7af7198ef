"""Load a `venuecode simulate` city into SQLite and/or PostgreSQL for the tracing benchmark.

    python bench/tracing/load.py CITY_DIR --parquet OUT.parquet
    python bench/tracing/load.py CITY_DIR --postgres postgresql://postgres@127.0.0.1:5432/venuecode_tracebench
    python bench/tracing/load.py CITY_DIR --sqlite /tmp/trace-bench/city.db

Not the ingest path (benchmarked in bench/ingest): DuckDB turns checkins.csv into a
Parquet file of raw micros and venue pks (sorted by scan time, the order real data
arrives in), which is COPYed into PostgreSQL or executemany'd into SQLite with the
check-in indexes dropped, then the indexes are built. The schema is the app's own
(`create_schema`); only the check-in foreign keys are left out of the bench databases.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psycopg

from venuecode.db import make_engine
from venuecode.scans.succession import NEXT_OF_ROW
from venuecode.schema import create_schema
from venuecode.timeutil import parse_instant, to_micros

T0 = time.perf_counter()
CREATED = 1_767_225_600_000_000  # 2026-01-01, a fixed created_at for bench venues

INDEXES = [
    "CREATE UNIQUE INDEX uq_checkins_id_number_scanned_at_venue_pk ON checkins (id_number, scanned_at, venue_pk)",
    "CREATE INDEX ix_checkins_venue_presence ON checkins"
    " (venue_pk, scanned_at, id_number, checked_out_at, next_scanned_at)",
]


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f} s] {message}", file=sys.stderr, flush=True)


def venues(city: Path) -> list[tuple[int, str, str, str, str, str, int | None]]:
    with (city / "venues.csv").open(encoding="utf-8") as f:
        return [
            (i, r["venue_id"], r["name"], r["category"], r["district"], r["address"],
             int(r["dwell_minutes"]) if r["dwell_minutes"] else None)
            for i, r in enumerate(csv.DictReader(f), start=1)
        ]


def cases(city: Path) -> list[tuple[str, int, int | None, str]]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    with (city / "cases.csv").open(encoding="utf-8") as f:
        return [
            (r["id_number"], to_micros(parse_instant(r["reference_time"], tz)),
             to_micros(parse_instant(r["isolated_at"], tz)) if r["isolated_at"] else None, r["kind"])
            for r in csv.DictReader(f)
        ]


def to_parquet(city: Path, out: Path) -> None:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""COPY (
          WITH v AS (SELECT venue_id, row_number() OVER () AS venue_pk
                     FROM read_csv('{city / "venues.csv"}', all_varchar = true)),
          rows AS (SELECT c.id_number, v.venue_id, CAST(v.venue_pk AS INTEGER) AS venue_pk,
                 epoch_us(CAST(c.scanned_at AS TIMESTAMPTZ)) AS scanned_at,
                 epoch_us(CAST(NULLIF(c.checked_out_at, '') AS TIMESTAMPTZ)) AS checked_out_at
          FROM read_csv('{city / "checkins.csv"}', all_varchar = true) c JOIN v USING (venue_id)
        ), linked AS (
          -- venuecode.scans.succession's next_scanned_at: the next row's instant, or the
          -- row's own instant inside a group of same-instant rows (at other venues).
          SELECT *, CASE WHEN lag(scanned_at) OVER w = scanned_at THEN scanned_at
                         ELSE lead(scanned_at) OVER w END AS next_scanned_at
          FROM rows WINDOW w AS (PARTITION BY id_number ORDER BY scanned_at, venue_pk)
        )
        SELECT * FROM linked ORDER BY scanned_at
        ) TO '{out}' (FORMAT parquet)"""
    )
    count = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()
    log(f"parquet {out}: {count} rows")


# A sample of rows whose stored next check-in differs from its definition: must be 0.
CHECK_SAMPLE = (
    "SELECT count(*) FROM (SELECT * FROM checkins r WHERE r.id % 3989 = 0) AS r"
    f" WHERE r.next_scanned_at IS DISTINCT FROM {NEXT_OF_ROW}"
)


def check_links(execute: Callable[[str], int]) -> None:
    wrong = execute(CHECK_SAMPLE)
    log(f"next_scanned_at checked on a 1/3989 sample: {wrong} wrong")
    if wrong:
        raise SystemExit("the loaded next_scanned_at values are wrong")


def load_postgres(url: str, city: Path, parquet: Path) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = psycopg.connect(u.set(database="postgres").render_as_string(False).replace("+psycopg", ""),
                            autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{u.database}"')
    admin.close()
    create_schema(make_engine(url))
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("ALTER TABLE checkins DROP CONSTRAINT uq_checkins_id_number_scanned_at_venue_pk")
        conn.execute("DROP INDEX ix_checkins_venue_presence")
        for fk in ("batch_id_ingest_batches", "helper_user_id_users", "sub_area_pk_venue_sub_areas",
                   "venue_pk_venues"):
            conn.execute(f"ALTER TABLE checkins DROP CONSTRAINT fk_checkins_{fk}")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO venues (id, venue_id, name, category, district, address, dwell_minutes,"
                " manager_name, manager_phone, status, code_issue, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, '', '', 'approved', 1, %s)",
                [(*v, CREATED) for v in venues(city)])
            cur.executemany(
                "INSERT INTO cases (id_number, reference_time, isolated_at, kind, source, received_at)"
                " VALUES (%s, %s, %s, %s, 'bench', %s)", [(*c, CREATED) for c in cases(city)])
        conn.commit()
        log("postgres: venues and cases")
        con = duckdb.connect()
        reader = con.execute(
            f"SELECT id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at FROM '{parquet}'"
        )
        with conn.cursor() as cur, cur.copy(
            "COPY checkins (id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at, channel) FROM STDIN"
        ) as copy:
            n = 0
            while batch := reader.fetchmany(1_000_000):
                for row in batch:
                    copy.write_row((*row, "import"))
                n += len(batch)
                log(f"postgres: {n:,} check-ins")
        conn.commit()
        conn.execute("SET maintenance_work_mem = '1GB'")
        for sql in INDEXES:
            conn.execute(sql)
            conn.commit()
            log(f"postgres: {sql[:60]}")
    # VACUUM sets the visibility map: without it every next-check-in probe (an index-only
    # scan) also reads the heap, 4x slower (autovacuum would get there eventually).
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) checkins")
        conn.execute("ANALYZE")
        check_links(lambda sql: conn.execute(sql).fetchone()[0])  # type: ignore[index]
    log("postgres: done")


def load_sqlite(path: Path, city: Path, parquet: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    # The UNIQUE constraint of the app's table cannot be dropped in SQLite: recreate the
    # table without it and build the same unique index after loading.
    conn.execute("DROP TABLE checkins")
    conn.execute(
        "CREATE TABLE checkins (id INTEGER PRIMARY KEY, id_number VARCHAR(18) NOT NULL,"
        " venue_pk INTEGER NOT NULL, sub_area_pk INTEGER, scanned_at BIGINT NOT NULL,"
        " checked_out_at BIGINT, next_scanned_at BIGINT, channel VARCHAR(16) NOT NULL, helper_user_id INTEGER,"
        " batch_id INTEGER)")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO venues (id, venue_id, name, category, district, address, dwell_minutes,"
        " manager_name, manager_phone, status, code_issue, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, '', '', 'approved', 1, ?)", [(*v, CREATED) for v in venues(city)])
    conn.executemany(
        "INSERT INTO cases (id_number, reference_time, isolated_at, kind, source, received_at)"
        " VALUES (?, ?, ?, ?, 'bench', ?)", [(*c, CREATED) for c in cases(city)])
    con = duckdb.connect()
    reader = con.execute(
        f"SELECT id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at FROM '{parquet}'"
    )
    n = 0
    while batch := reader.fetchmany(1_000_000):
        conn.executemany(
            "INSERT INTO checkins (id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at, channel)"
            " VALUES (?, ?, ?, ?, ?, 'import')", batch)
        n += len(batch)
        log(f"sqlite: {n:,} check-ins")
    conn.execute("COMMIT")
    for sql in INDEXES:
        conn.execute(sql)
        log(f"sqlite: {sql[:60]}")
    conn.execute("ANALYZE")
    check_links(lambda sql: conn.execute(sql.replace("IS DISTINCT FROM", "IS NOT")).fetchone()[0])
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    log("sqlite: done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("city", type=Path)
    parser.add_argument("--parquet", type=Path, required=True)
    parser.add_argument("--postgres")
    parser.add_argument("--sqlite", type=Path)
    args = parser.parse_args()
    if not args.parquet.exists():
        to_parquet(args.city, args.parquet)
    if args.postgres:
        load_postgres(args.postgres, args.city, args.parquet)
    if args.sqlite:
        load_sqlite(args.sqlite, args.city, args.parquet)


if __name__ == "__main__":
    main()
