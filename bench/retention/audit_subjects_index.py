"""What an index of `audit_subjects` by event costs the trace's audit write, and gives the purge.

    python bench/retention/audit_subjects_index.py postgresql://postgres@127.0.0.1:5432/DB 47000

COPYs N rows of one event into three tables of 2 M rows shaped like `audit_subjects`
(primary key (id_number, event_id)): without an index on event_id, with a btree one (what
the retention migration adds), with a BRIN one; 7 runs interleaved so the machine's load
hits all three alike; medians. Then deletes three old events' rows (120,000) from each,
as the purge does. Scratch tables `bench_*`, dropped at the end.
"""
import statistics
import sys
import time

import psycopg

url, n = sys.argv[1], int(sys.argv[2])
kinds = {"none": None, "btree": "", "brin": "USING brin"}
with psycopg.connect(url, autocommit=True) as c:
    for k, using in kinds.items():
        c.execute(f"DROP TABLE IF EXISTS bench_{k}")
        c.execute(f"CREATE TABLE bench_{k} (id_number varchar(18), event_id bigint, PRIMARY KEY (id_number, event_id))")
        with c.cursor() as cur, cur.copy(f"COPY bench_{k} FROM STDIN") as cp:
            for i in range(2_000_000):
                cp.write_row((f"{330100000000000000 + (i * 7919) % 10**12:018d}", i // 40_000))
        if using is not None:
            c.execute(f"CREATE INDEX bench_{k}_event ON bench_{k} {using} (event_id)")
        c.execute(f"VACUUM ANALYZE bench_{k}")
    times = {k: [] for k in kinds}
    for run in range(7):
        rows = [(f"{110100000000000000 + (j * 104729 + run) % 10**12:018d}", 10_000 + run) for j in range(n)]
        for k in kinds:
            began = time.perf_counter()
            with c.transaction(), c.cursor() as cur, cur.copy(f"COPY bench_{k} FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
            times[k].append(time.perf_counter() - began)
    for k in kinds:
        print(f"{k}: rows={n} median {statistics.median(times[k])*1000:.0f} ms")
    for k in kinds:
        began = time.perf_counter()
        c.execute(f"DELETE FROM bench_{k} WHERE event_id IN (10, 11, 12)")
        print(f"delete 3 old events ({k}): {(time.perf_counter()-began)*1000:.0f} ms")
    for k in kinds:
        c.execute(f"DROP TABLE IF EXISTS bench_{k}")
