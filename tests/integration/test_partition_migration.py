"""The day-partition migration keeps every row (PostgreSQL; a no-op on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tests.conftest import POSTGRES_URL
from venuecode.db import make_engine
from venuecode.migrate import upgrade_engine
from venuecode.scans import partitions
from venuecode.timeutil import to_micros

BEFORE = "b9c83f9c5968"  # the head before the partitioned layout
PARTITIONED = "d41c7e2a9b05"
DAY = 86_400_000_000


@pytest.fixture
def old_engine(tmp_path: Path, worker_id: str) -> Iterator[Engine]:
    """A fresh database of its own at the revision before the partitions."""
    if not POSTGRES_URL:
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    name = f"{base.database}_migration_{worker_id}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed(engine: Engine) -> None:
    now = to_micros(datetime.now(UTC))
    days = [now - 3 * DAY, now - DAY - 1, now - DAY, now, now + 2 * DAY]
    far = [to_micros(datetime(1999, 12, 31, 23, tzinfo=UTC)), to_micros(datetime(2090, 1, 1, tzinfo=UTC))]
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO venues (id, venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, code_issue, created_at) VALUES"
            " (1, 'A', 'a', 'market', '', '', '', '', 'approved', 1, 0),"
            " (2, 'B', 'b', 'market', '', '', '', '', 'approved', 1, 0)"))
        rows = []
        for i, at in enumerate(days + far):
            nxt = None if i % 3 == 0 else at + 7
            out = at + 60_000_000 if i % 2 else None
            rows.append({"p": f"3301061985031400{i % 3}{i % 10}"[:18], "v": 1 + i % 2, "at": at,
                         "out": out, "nxt": nxt, "ch": ["scan", "help", "import"][i % 3]})
        conn.execute(text(
            "INSERT INTO checkins (id_number, venue_pk, scanned_at, checked_out_at, next_scanned_at,"
            " channel) VALUES (:p, :v, :at, :out, :nxt, :ch)"), rows)
        conn.execute(text(
            "INSERT INTO denied_attempts (id_number, venue_pk, attempted_at, reasons, health_color,"
            " channel) VALUES (:p, :v, :at, 'health_code_red', 'red', :ch)"), rows)
        # The newest id deleted: the kept sequence goes on after it (a new one from the
        # highest id left would hand it out again).
        conn.execute(text("DELETE FROM checkins WHERE scanned_at = :at"), {"at": far[1]})


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
                for t in ("checkins", "denied_attempts")}


def test_every_row_is_there_after_the_migration_and_after_its_downgrade(old_engine: Engine
                                                                        ) -> None:
    upgrade_engine(old_engine, BEFORE)
    _seed(old_engine)
    before = _dump(old_engine)
    assert len(before["checkins"]) == 6 and len(before["denied_attempts"]) == 7

    upgrade_engine(old_engine, PARTITIONED)

    assert _dump(old_engine) == before
    with old_engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        assert partitions.is_partitioned(conn) == postgres
        if postgres:
            found = {p.name: p for p in partitions.partitions(conn, "checkins")}
            homes = dict(conn.execute(text("SELECT id, tableoid::regclass::text FROM checkins")).all())
            # each day with rows has its partition; the far past and future go to the default
            for id_, at in conn.execute(text("SELECT id, scanned_at FROM checkins")):
                day = partitions.partition_name("checkins", partitions.day_of(at))
                assert homes[id_] == (day if day in found else "checkins_default")
            assert list(homes.values()).count("checkins_default") == 1  # 1999
            assert conn.execute(text("SELECT pg_get_serial_sequence('checkins', 'id')")).scalar()
        new_id = conn.execute(text(
            "INSERT INTO checkins (id_number, venue_pk, scanned_at, channel)"
            " VALUES ('330106198503140099', 1, :at, 'scan') RETURNING id"),
            {"at": to_micros(datetime.now(UTC) + timedelta(minutes=1))}).scalar()
        # (SQLite, unchanged, reuses the highest id + 1 as it always did)
        assert new_id == len(before["checkins"]) + (2 if postgres else 1)
        conn.execute(text("DELETE FROM checkins WHERE id = :i"), {"i": new_id})

    _downgrade(old_engine, BEFORE)

    assert _dump(old_engine) == before
    with old_engine.connect() as conn:
        assert not partitions.is_partitioned(conn)
    upgrade_engine(old_engine, PARTITIONED)
    assert _dump(old_engine) == before


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    from venuecode.migrate import alembic_config

    command.downgrade(alembic_config(engine), revision)
