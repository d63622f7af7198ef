"""The scan's write step alone on PostgreSQL: client and backend CPU per check-in.

    PYTHONPATH=src .venv/bin/python bench/scan/write.py [--writes 3000] [--keep-days 32]

On one autocommit connection like the scan pool's, with the day partitions `serve` makes
for `--keep-days` (32: 37 day partitions and the default, like the partitions bench), it
compares ways of writing a check-in, rounds alternating:

* `three`: the three autocommit statements the hot path sent before (INSERT, lock,
  relink: three transactions, the lock protecting nothing);
* `store`: the store's one pipelined transaction (BEGIN, INSERT ... RETURNING, per-person
  lock, relink, COMMIT in one round trip);
* `plain`: the store with `RELINK_ONE` as is, before `succession.relink_one_sql`'s span;
* `custom`: the store with `plan_cache_mode = force_custom_plan` on the connection (a
  custom plan for every relink, pruned at planning with the literal instant).

Check-ins are at "now" and one second apart; 500 persons, so every write relinks a
predecessor; each person also has one check-in a day on the `--history` days before
(30), so the day partitions' indexes are not empty. Backend CPU is the connection's own
postgres process (/proc), so other users of the cluster don't count.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from venuecode.db import make_engine
from venuecode.scans import store
from venuecode.scans.driver import run
from venuecode.scans.store import INSERT_CHECKIN, Attempt, SqlCheckinStore
from venuecode.scans.succession import LOCK_PERSON, RELINK_ONE
from venuecode.schema import create_schema
from venuecode.timeutil import to_micros


def pipelined(connection: Connection, attempt: Attempt) -> None:
    SqlCheckinStore(connection).add_checkin(attempt)


def pipelined_plain(connection: Connection, attempt: Attempt) -> None:
    """The store with the relink as before `relink_one_sql` (RELINK_ONE as is)."""
    names = vars(store)  # the store's own reference to relink_one_sql, for this call only
    saved = names["relink_one_sql"]
    names["relink_one_sql"] = lambda dialect, at: RELINK_ONE[dialect]
    try:
        SqlCheckinStore(connection).add_checkin(attempt)
    finally:
        names["relink_one_sql"] = saved


def three_statements(connection: Connection, attempt: Attempt) -> None:
    params = {"idn": attempt.id_number, "venue_pk": attempt.venue_pk, "sub_area_pk": None,
              "at": to_micros(attempt.at), "channel": "scan", "helper": None}
    run(connection, INSERT_CHECKIN, params, write=True)
    run(connection, LOCK_PERSON, {"idn": attempt.id_number})
    run(connection, RELINK_ONE["postgresql"], {"idn": attempt.id_number, "at": params["at"]})


WAYS: dict[str, tuple[str, Callable[[Connection, Attempt], None], str | None]] = {
    "three": ("three autocommit statements", three_statements, None),
    "store": ("one pipelined transaction (store)", pipelined, None),
    "plain": ("store, plain RELINK_ONE (before the span)", pipelined_plain, None),
    "custom": ("store, plan_cache_mode = force_custom_plan", pipelined,
               "SET plan_cache_mode = force_custom_plan"),
}


def backend_cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-days", type=int, default=32,
                        help="day partitions kept back from today (serve's window)")
    parser.add_argument("--ways", default="plain,store", help=f"of {', '.join(WAYS)}")
    parser.add_argument("--history", type=int, default=30,
                        help="days before today with one check-in per person (0: none)")
    parser.add_argument("--pg-database", default="venuecode_bench_write")
    args = parser.parse_args()
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{args.pg_database}"'))
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{args.pg_database}")
    create_schema(engine, keep_days=args.keep_days)
    with engine.begin() as c:
        venue = c.execute(text(
            "INSERT INTO venues (venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, code_issue, created_at)"
            " VALUES ('W', 'w', 'market', '', '', '', '', 'approved', 1, 0) RETURNING id")).scalar_one()
        days = c.execute(text("SELECT count(*) FROM pg_inherits"
                              " WHERE inhparent = 'checkins'::regclass")).scalar_one()
        if args.history:
            # Each person of the run checked in once a day on the kept days before today,
            # so every day partition's index holds their rows (as in a live city).
            c.execute(text(
                "INSERT INTO checkins (id_number, venue_pk, scanned_at, channel)"
                " SELECT r || '-' || w || '-' || p, :venue,"
                "  :now - d * 86400000000 - p * 1000000, 'scan'"
                " FROM generate_series(0, :rounds - 1) r, unnest(CAST(:ways AS text[])) w,"
                "  generate_series(0, 499) p, generate_series(1, :days) d"),
                {"venue": venue, "now": to_micros(datetime.now(UTC)), "rounds": args.rounds,
                 "ways": args.ways.split(","), "days": args.history})
            c.execute(text("ANALYZE checkins"))
    print(f"checkins partitions: {days}; load average {os.getloadavg()[0]:.2f}")
    # A new connection per way and round: no setting or prepared statement of another way.
    hot = create_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    t0 = datetime.now(UTC) - timedelta(seconds=args.writes * args.rounds * len(WAYS))
    step = 0
    for round_ in range(args.rounds):
        for key in args.ways.split(","):
            name, write, setup = WAYS[key]
            with hot.connect() as connection:
                if setup:
                    connection.exec_driver_sql(setup)
                pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                backend = backend_cpu(pid)
                cpu, wall = time.process_time(), time.perf_counter()
                for i in range(args.writes):
                    # 500 persons, each with many check-ins: every write relinks a predecessor.
                    step += 1
                    write(connection, Attempt(f"{round_}-{key}-{i % 500}", venue, None,
                                              t0 + timedelta(seconds=step)))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                backend = backend_cpu(pid) - backend
                plans = connection.exec_driver_sql(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE 'UPDATE checkins SET next_scanned_at%%'").all()
            print(f"round {round_}: {name}: backend CPU {1000 * backend / args.writes:.3f} ms,"
                  f" client CPU {1000 * cpu / args.writes:.3f} ms,"
                  f" wall {1000 * wall / args.writes:.2f} ms per check-in"
                  f" (load {os.getloadavg()[0]:.2f}; relink generic/custom plans {plans})")
    hot.dispose()
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    main()
