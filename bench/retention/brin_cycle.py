"""Does the BRIN index of `audit_subjects` by event stay useful as the purge frees pages
and new rows refill them? Two scratch tables shaped like it: the purge deleting with and
without desummarising the emptied ranges (what `retention.service` does).

    python bench/retention/brin_cycle.py postgresql://postgres@127.0.0.1:5432/DB

Each "day" adds EVENTS events of PERSONS rows; from day KEEP on, the oldest day's events
are deleted (then VACUUM, as autovacuum would). Printed per table, for the last days:
the heap blocks the delete read and its time.
"""

from __future__ import annotations

import re
import sys
import time

import psycopg

DAYS, KEEP, EVENTS, PERSONS = 24, 8, 10, 20_000


def main(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        for name in ("plain", "desum"):
            c.execute(f"DROP TABLE IF EXISTS bench_{name}")
            c.execute(f"CREATE TABLE bench_{name} (id_number varchar(18), event_id bigint,"
                      " PRIMARY KEY (id_number, event_id))")
            c.execute(f"CREATE INDEX bench_{name}_e ON bench_{name} USING brin (event_id)"
                      " WITH (pages_per_range = 128)")
        for day in range(DAYS):
            for name in ("plain", "desum"):
                first = day * EVENTS
                c.execute(f"INSERT INTO bench_{name} SELECT lpad((g % {PERSONS})::text, 18, '0'),"
                          f" {first} + g / {PERSONS} FROM generate_series(0, {EVENTS * PERSONS - 1}) g")
                if day < KEEP:
                    continue
                old = list(range((day - KEEP) * EVENTS, (day - KEEP + 1) * EVENTS))
                c.execute("SET enable_seqscan = off")
                plan = "\n".join(r[0] for r in c.execute(
                    f"EXPLAIN (ANALYZE) SELECT count(*) FROM bench_{name} WHERE event_id = ANY(%s)",
                    (old,)))
                c.execute("RESET enable_seqscan")
                blocks = re.search(r"Heap Blocks: lossy=(\d+)", plan)
                began = time.perf_counter()
                if name == "plain":
                    c.execute(f"DELETE FROM bench_{name} WHERE event_id = ANY(%s)", (old,))
                else:  # as retention.service._delete_subjects_postgres
                    row = c.execute(
                        f"WITH gone AS (DELETE FROM bench_{name} WHERE event_id = ANY(%s) RETURNING ctid)"
                        " SELECT array_agg(DISTINCT (ctid::text::point)[0]::bigint / 128) FROM gone",
                        (old,)).fetchone()
                    for first in (row[0] if row else None) or ():
                        c.execute("SELECT brin_desummarize_range(%s::regclass, %s)",
                                  (f"bench_{name}_e", first * 128))
                took = time.perf_counter() - began
                c.execute(f"VACUUM bench_{name}")
                if day >= DAYS - 4:
                    size = c.execute(f"SELECT pg_relation_size('bench_{name}') / 8192").fetchone()
                    print(f"day {day} {name}: finding the day's rows read "
                          f"{blocks.group(1) if blocks else '?'} of {size[0] if size else '?'} "
                          f"heap blocks; delete {took * 1000:.0f} ms")
        for name in ("plain", "desum"):
            c.execute(f"DROP TABLE bench_{name}")


if __name__ == "__main__":
    main(sys.argv[1])
