"""A batch left `running` by a killed process is marked `interrupted` by the next import,
push or look at the batch list; a batch still being written is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.ingest.conftest import GOOD, write_csv
from tests.integration.ingest.test_upload_page import admin_headers
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.ingest.interrupted import HOST, STALE_AFTER, mark_interrupted, process_alive
from venuecode.ingest.models import IngestBatch
from venuecode.ingest.service import import_file, push


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def zombie_pid() -> Iterator[int]:
    """A child killed with SIGKILL but not yet reaped by its parent (this test)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(child.pid, signal.SIGKILL)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, still in the table
    yield child.pid
    child.wait()


def running(db: Session, clock: FixedClock, *, host: str | None = HOST, pid: int | None,
            beat_ago: timedelta | None = timedelta(seconds=5)) -> IngestBatch:
    now = clock.now()
    batch = IngestBatch(kind="checkins", source="cli", channel="file", filename="big.csv",
                        received_at=now - (beat_ago or timedelta()) - timedelta(minutes=1),
                        status="running", host=host, pid=pid,
                        heartbeat_at=None if beat_ago is None else now - beat_ago)
    db.add(batch)
    db.commit()
    return batch


def test_a_new_import_marks_the_batch_of_a_killed_process_interrupted(
        env: Session, clock: FixedClock, tmp_path: Path, dead_pid: int) -> None:
    killed = running(env, clock, pid=dead_pid)
    header, rows = GOOD["venues"]
    summary = import_file(env, "venues", write_csv(tmp_path / "venues.csv", header, rows))
    env.refresh(killed)
    assert killed.status == "interrupted"
    assert str(dead_pid) in (killed.error or "") and "again" in (killed.error or "")
    new = env.get(IngestBatch, summary.batch_id)
    assert new is not None and new.status == "done"
    # The new batch says which process wrote it, and when it last committed a chunk.
    assert (new.host, new.pid, new.heartbeat_at) == (HOST, os.getpid(), clock.now())


def test_a_push_marks_it_too(env: Session, clock: FixedClock, dead_pid: int) -> None:
    killed = running(env, clock, pid=dead_pid)
    push(env, "risk_areas", [{"area": "浦东新区", "level": "high", "since": "2022-04-01"}],
         source="lab", actor=Actor.cli())
    env.refresh(killed)
    assert killed.status == "interrupted"


def test_a_batch_whose_process_is_alive_stays_running(env: Session, clock: FixedClock) -> None:
    alive = running(env, clock, pid=os.getpid())
    assert mark_interrupted(env) == []
    assert alive.status == "running" and alive.error is None


def test_a_killed_process_not_yet_reaped_counts_as_gone(
        env: Session, clock: FixedClock, zombie_pid: int) -> None:
    assert not process_alive(zombie_pid)
    killed = running(env, clock, pid=zombie_pid)
    assert mark_interrupted(env) == [killed.id]


def test_another_hosts_batch_is_interrupted_only_once_its_heartbeat_is_stale(
        env: Session, clock: FixedClock) -> None:
    # The pid means nothing here (another host's); only the heartbeat can tell.
    fresh = running(env, clock, host="other-host", pid=os.getpid(),
                    beat_ago=STALE_AFTER - timedelta(seconds=1))
    stale = running(env, clock, host="other-host", pid=os.getpid(),
                    beat_ago=STALE_AFTER + timedelta(seconds=1))
    assert mark_interrupted(env) == [stale.id]
    assert fresh.status == "running" and stale.status == "interrupted"


def test_a_batch_from_before_the_heartbeat_column_is_judged_by_its_age(
        env: Session, clock: FixedClock) -> None:
    old = running(env, clock, host=None, pid=None, beat_ago=None)
    assert mark_interrupted(env) == []  # received a minute ago
    clock.advance(STALE_AFTER)
    assert mark_interrupted(env) == [old.id]


def test_the_batch_list_shows_a_killed_batch_as_interrupted_in_chinese(
        client: TestClient, settings: Settings, db: Session, clock: FixedClock,
        dead_pid: int) -> None:
    headers = admin_headers(client, settings, db)
    killed = running(db, clock, pid=dead_pid)
    page = client.get("/admin/ingest/batches", headers=headers)
    assert page.status_code == 200
    row = page.text.split(f'<td data-label="#">{killed.id}</td>')[1].split("</tr>")[0]
    assert 'class="status-interrupted" data-label="状态">已中断' in row
    db.refresh(killed)
    assert killed.status == "interrupted"
