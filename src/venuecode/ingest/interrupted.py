"""Batches whose process died: a `running` batch nobody will finish becomes `interrupted`.

A killed import (`kill -9`, a crash, a lost host) cannot mark its own batch. Each batch
records its process (host and pid) and a heartbeat (every committed chunk), and every new
import, push and the batch list settle the `running` ones: on this host a batch whose
process no longer exists is interrupted at once; any batch whose heartbeat is older than
`STALE_AFTER` is interrupted too (another host, or a pid taken again by a new process).
The chunks it committed stay stored; importing the file again completes it.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.ingest.models import IngestBatch

# A chunk of 20,000 rows commits in seconds, even on a loaded server.
STALE_AFTER = timedelta(minutes=10)
HOST = socket.gethostname()[:255]


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists on this host (a zombie, killed but not yet reaped,
    counts as gone)."""
    if pid <= 0:  # 0 and negatives would address process groups
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux), or it ended just now: trust the signal
        return True
    return stat[stat.rindex(")") + 2:][:1] != "Z"


def is_gone(batch: IngestBatch, now: datetime, host: str = HOST) -> bool:
    """Whether the process writing this running batch has ended (or is presumed so)."""
    if batch.host == host and batch.pid is not None and not process_alive(batch.pid):
        return True
    last = batch.heartbeat_at or batch.received_at
    return now - last > STALE_AFTER


def mark_interrupted(session: Session, now: datetime | None = None) -> list[int]:
    """Mark the running batches whose process is gone as interrupted (flushed, not
    committed); returns their ids."""
    now = now or clock.now()
    running = session.scalars(select(IngestBatch).where(IngestBatch.status == "running")).all()
    gone = [b for b in running if is_gone(b, now)]
    for batch in gone:
        batch.status = "interrupted"
        last = batch.heartbeat_at or batch.received_at
        batch.error = (f"the process writing this batch ({batch.host or '?'} pid "
                       f"{batch.pid or '?'}) ended before it finished; last chunk at "
                       f"{last.isoformat()}; import the file again to complete it")
    session.flush()
    return [b.id for b in gone]
