"""An import holds SQLite's write lock only while it writes, a slice at a time.

On its own SQLite file with a second real connection probing the lock (the shared test
database keeps every session inside one outer transaction, which holds it throughout).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import POSTGRES_URL
from tests.support import factories
from venuecode.config import Settings
from venuecode.db import make_engine, make_sessionmaker
from venuecode.ingest import bulk
from venuecode.ingest.service import RejectedRecord, import_file
from venuecode.scans.models import Checkin
from venuecode.schema import create_schema

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's single write lock")


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "import.db"


@pytest.fixture
def factory(db_file: Path, settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{db_file}")
    create_schema(engine)
    with make_sessionmaker(engine)() as session:
        factories.venue(session, venue_id="V1")
        session.commit()
    yield make_sessionmaker(engine)
    engine.dispose()


def lock_is_free(db_file: Path) -> bool:
    probe = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def checkins_file(path: Path, rows: int, bad_at: int | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_number", "venue_id", "scanned_at", "checked_out_at"])
        for i in range(rows):
            venue = "NOPE" if i == bad_at else "V1"
            w.writerow([factories.id_number(i), venue,
                        f"2022-04-{1 + i % 17:02d}T{i % 24:02d}:{i % 60:02d}:00+08:00", ""])
    return path


def test_no_lock_is_held_while_the_file_is_read_and_validated(
        factory: sessionmaker[Session], db_file: Path, tmp_path: Path) -> None:
    # The reject comes before the first chunk is written: nothing should be writing then.
    seen: list[bool] = []

    def on_reject(_rejected: RejectedRecord) -> None:
        seen.append(lock_is_free(db_file))

    with factory() as session:
        summary = import_file(session, "checkins", checkins_file(tmp_path / "c.csv", 300, 1),
                              on_reject=on_reject)
    assert summary.rejected == 1 and summary.accepted == 299
    assert seen == [True]


def test_a_chunk_is_committed_in_slices_when_writing_takes_long(
        factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A budget every slice overruns: slices shrink to the floor, each its own transaction.
    monkeypatch.setattr(bulk, "LOCK_BUDGET_SECONDS", 1e-9)
    monkeypatch.setattr(bulk, "PAUSE_SECONDS", (0.0, 0.0))
    engine = factory.kw["bind"]
    assert isinstance(engine, Engine)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    path = checkins_file(tmp_path / "c.csv", 3_000)
    with factory() as session:
        summary = import_file(session, "checkins", path)
    assert summary.accepted == 3_000
    # 1,000 rows first, then 50 a slice: 41 slices, plus the batch row and the summary.
    assert len(commits) >= 40
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Checkin)) == 3_000
        again = import_file(session, "checkins", path)
    assert (again.accepted, again.replaced, again.unchanged) == (0, 0, 3_000)
