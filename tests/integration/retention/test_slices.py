"""The purge commits in short slices: on SQLite a scan written while it runs gets the
write lock between two slices instead of waiting for the whole purge.

On its own SQLite file (the shared test database's sessions all live in one outer
transaction), with the purge on a thread and a writer on the main thread, as a scan
arriving during the daily run.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.conftest import POSTGRES_URL
from tests.support import factories
from venuecode.audit.service import Actor
from venuecode.db import make_engine, make_sessionmaker
from venuecode.retention.periods import Periods
from venuecode.retention.service import Purged, purge
from venuecode.scans.models import Checkin
from venuecode.schema import create_schema
from venuecode.timeutil import to_micros

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's single write lock")

NOW = datetime(2022, 4, 19, 8, tzinfo=UTC)
OLD_ROWS = 60_000


def test_a_scan_during_the_purge_lands_between_its_slices(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/purge.db")
    create_schema(engine)
    factory = make_sessionmaker(engine)
    with factory() as setup:
        venue = factories.venue(setup).id
        old = to_micros(NOW - timedelta(days=40))
        numbers = [factories.id_number(n) for n in range(997)]
        setup.connection().exec_driver_sql(  # raw: the ORM takes seconds for these rows
            "INSERT INTO checkins (id_number, venue_pk, scanned_at, channel) VALUES (?, ?, ?, ?)",
            [(numbers[i % 997], venue, old + i * 1_000_000, "scan") for i in range(OLD_ROWS)])
        setup.commit()
    commits: list[tuple[str, float]] = []
    event.listen(engine, "commit", lambda _c: commits.append(
        (threading.current_thread().name, time.perf_counter())))
    result: list[Purged] = []

    def run() -> None:
        with factory() as session:
            result.append(purge(session, Actor.cli(), NOW, Periods.defaults()))

    purger = threading.Thread(target=run, name="purge")
    waits: list[float] = []
    started = time.perf_counter()
    purger.start()
    n = 0
    while purger.is_alive():
        began = time.perf_counter()
        with factory() as scan:
            scan.add(Checkin(id_number=factories.id_number(2000 + n % 900), venue_pk=venue,
                             scanned_at=NOW - timedelta(minutes=n), channel="scan"))
            scan.commit()
        waits.append(time.perf_counter() - began)
        n += 1
        time.sleep(0.005)
    purger.join()
    took = time.perf_counter() - started

    assert result[0].counts["checkins"] == OLD_ROWS
    slices = [t for who, t in commits if who == "purge"]
    scans_between = [t for who, t in commits if who != "purge" and slices[0] < t < slices[-1]]
    assert len(slices) >= 5, "the purge should commit in slices"
    assert scans_between, "no scan got in while the purge ran"
    # Relative to the purge's own time, so a loaded machine slows both alike: a slice is a
    # small part of it, the whole deletion (one transaction) most of it.
    assert max(waits) < 0.25 * took, f"a scan waited {max(waits):.2f} s of the purge's {took:.2f} s"
    with factory() as check:
        assert check.scalar(select(func.count(Checkin.id))) == n
    engine.dispose()
