"""What lifting a whole trace's marks (解除管控) costs, and how many audit rows it writes.

    PYTHONPATH=src python bench/tracing/lift.py sqlite:////tmp/vc-lift-bench.db 3000
    PYTHONPATH=src python bench/tracing/lift.py postgresql+psycopg://postgres@127.0.0.1:5432/vc_lift_bench 3000

Creates the schema in the (empty) database, seeds one pushed trace of N
contacts (an applied push, an open mark and a red tracing code each), then times
`tracing.actions.lift_marks` for the whole trace with the local adapter, in one
transaction as the page runs it. Prints wall and CPU seconds (this process) and the audit
events and audit subject rows written.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock, set_clock
from venuecode.config import Settings
from venuecode.db import make_engine
from venuecode.facts.models import ContactMark, HealthCodeRecord
from venuecode.people.idnumber import make_id_number
from venuecode.schema import create_schema
from venuecode.tracing.actions import lift_marks
from venuecode.tracing.models import Trace, TraceAction

NOW = datetime(2022, 4, 19, 8, 0, tzinfo=UTC)
BORN = date(1960, 1, 1)


def seed(session: Session, n: int) -> Trace:
    persons = [make_id_number("330106", BORN + timedelta(days=i // 1000), i % 1000)
               for i in range(n)]
    trace = Trace(created_at=NOW, created_by=None, actor="user:1", reason="bench",
                  as_of=NOW, cases="[]", contacts=n, venues=1,
                  result_json=orjson.dumps({"contacts": [{"id_number": p} for p in persons]})
                  .decode())
    session.add(trace)
    session.flush()
    session.add(TraceAction(trace_id=trace.id, requested_by=None, requested_at=NOW,
                            status="applied", decided_at=NOW))
    session.execute(insert(ContactMark), [
        {"id_number": p, "kind": "close", "since": NOW, "instruction": None,
         "trace_id": trace.id} for p in persons])
    session.execute(insert(HealthCodeRecord), [
        {"id_number": p, "color": "red", "since": NOW, "reason": "bench", "source": "tracing",
         "batch_id": None, "received_at": NOW} for p in persons])
    session.commit()
    return trace


def main(url: str, n: int) -> None:
    engine = make_engine(url)
    create_schema(engine)
    set_clock(FixedClock(NOW + timedelta(days=14)))
    settings = Settings(database_url=url)
    actor = Actor("user:1", Role.TRACING_SUPERVISOR.value)
    with Session(engine, expire_on_commit=False) as session:
        trace = seed(session, n)
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = lift_marks(session, settings, actor, trace, "隔离期满，基准测试")
        session.commit()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        events = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "trace.mark_lifted"))
        subjects = session.scalar(select(func.count()).select_from(AuditSubject))
    engine.dispose()
    print(f"{engine.dialect.name}: lifted {len(outcome.lifted):,} of {n:,} persons in wall "
          f"{wall:.2f} s, cpu {cpu:.2f} s; {events} audit events, {subjects} subject rows",
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
