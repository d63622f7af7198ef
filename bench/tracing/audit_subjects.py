"""What auditing a large staff read costs: one event + N `audit_subjects` rows.

    python bench/tracing/audit_subjects.py sqlite:////tmp/vc-audit-bench.db
    python bench/tracing/audit_subjects.py postgresql+psycopg://postgres@127.0.0.1:5432/vc_audit_bench

Creates the schema in the (empty) database, then for each size writes `record_about` in
one transaction (as a trace run does), and compares with one `record()` ORM event per
person for the smallest size. Then times the citizen's access-log query for one person
among all the rows written. Prints wall and CPU seconds (this process: the driver's
work on SQLite; the server's share of PostgreSQL is in wall only).
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from venuecode.audit.access_log import entries_for
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditSubject
from venuecode.audit.service import Actor, record, record_about
from venuecode.db import make_engine
from venuecode.people.idnumber import make_id_number
from venuecode.schema import create_schema

SIZES = (47_000, 500_000)
BORN = date(1960, 1, 1)


def persons(n: int, offset: int = 0) -> list[str]:
    # Unique: a birth day per thousand, a sequence number within it.
    return [make_id_number("330106", BORN + timedelta(days=i // 1000), i % 1000)
            for i in range(offset, offset + n)]


def timed(label: str, fn) -> None:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<52} wall {wall:7.2f} s  cpu {cpu:6.2f} s", flush=True)


def main(url: str) -> None:
    engine = make_engine(url)
    create_schema(engine)
    actor = Actor("user:1", "tracer")
    people = {n: persons(n) for n in SIZES}
    for n in SIZES:
        def run(n: int = n) -> None:
            with Session(engine) as s:
                record_about(s, actor, AuditAction.TRACE_RUN, "trace", 1, people[n], "bench")
                s.commit()
        timed(f"record_about, {n:,} persons (one transaction)", run)

    small = SIZES[0]

    def per_row() -> None:
        with Session(engine) as s:
            for number in people[small]:
                record(s, actor, AuditAction.PERSON_VIEWED, "person", number, "bench")
            s.commit()
    timed(f"baseline: record() per person, {small:,} ORM events", per_row)

    with Session(engine) as s:
        rows = s.scalar(select(func.count()).select_from(AuditSubject))
        target = people[small][123]

        def query() -> None:
            for _ in range(100):
                entries_for(s, target)
        timed(f"access log of one person x100 ({rows:,} subject rows)", query)
        print(f"{'':<52} {len(entries_for(s, target))} entries", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
