"""The scan's write step alone on PostgreSQL: client CPU and wall time per check-in.

    PYTHONPATH=src .venv/bin/python bench/scan/write.py [--writes 3000] [--pg-database NAME]

Compares, on one autocommit connection like the scan pool's, the store's one pipelined
transaction (BEGIN, INSERT ... RETURNING, per-person lock, relink, COMMIT in one round
trip) with the three autocommit statements the hot path sent before (INSERT, lock,
relink: three transactions, the lock protecting nothing). Rounds alternate.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from venuecode.db import make_engine
from venuecode.scans.driver import run
from venuecode.scans.store import INSERT_CHECKIN, Attempt, SqlCheckinStore
from venuecode.scans.succession import LOCK_PERSON, RELINK_ONE
from venuecode.schema import create_schema
from venuecode.timeutil import to_micros

T0 = datetime(2022, 4, 19, tzinfo=UTC)


def pipelined(connection: Connection, attempt: Attempt) -> None:
    SqlCheckinStore(connection).add_checkin(attempt)


def three_statements(connection: Connection, attempt: Attempt) -> None:
    params = {"idn": attempt.id_number, "venue_pk": attempt.venue_pk, "sub_area_pk": None,
              "at": to_micros(attempt.at), "channel": "scan", "helper": None}
    run(connection, INSERT_CHECKIN, params, write=True)
    run(connection, LOCK_PERSON, {"idn": attempt.id_number})
    run(connection, RELINK_ONE["postgresql"], {"idn": attempt.id_number, "at": params["at"]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-database", default="venuecode_bench_write")
    args = parser.parse_args()
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{args.pg_database}"'))
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{args.pg_database}")
    create_schema(engine)
    with engine.begin() as c:
        venue = c.execute(text(
            "INSERT INTO venues (venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, code_issue, created_at)"
            " VALUES ('W', 'w', 'market', '', '', '', '', 'approved', 1, 0) RETURNING id")).scalar_one()
    hot = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    ways: list[tuple[str, Callable[[Connection, Attempt], None]]] = [
        ("three autocommit statements (before)", three_statements),
        ("one pipelined transaction (store)", pipelined)]
    for round_ in range(args.rounds):
        for name, write in ways:
            with hot.connect() as connection:
                cpu, wall = time.process_time(), time.perf_counter()
                for i in range(args.writes):
                    # 500 persons, each with many check-ins: every write relinks a predecessor.
                    write(connection, Attempt(f"{round_}-{name[:3]}-{i % 500}", venue, None,
                                              T0 + timedelta(seconds=i)))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"round {round_}: {name}: client CPU {1000 * cpu / args.writes:.3f} ms,"
                  f" wall {1000 * wall / args.writes:.2f} ms per check-in")
    hot.dispose()
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
