"""Create or upgrade the database schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine

import venuecode.models  # noqa: F401 - every table registered: callers use the ORM next
from venuecode.migrate import upgrade_engine


def create_schema(engine: Engine, keep_days: int | None = None) -> None:
    """Bring an empty database to the current schema, with its day partitions.

    Runs the Alembic migrations when they exist (so tests exercise them); the models
    are the source the migrations are generated from. On PostgreSQL it then creates the
    partitions of the retention window (`keep_days`, default the setting) and the days
    ahead (`venuecode.scans.partitions`).
    """
    if not upgrade_engine(engine):
        raise RuntimeError("venuecode has no migrations: the package is incomplete")
    maintain_partitions(engine, keep_days)


def maintain_partitions(engine: Engine, keep_days: int | None = None) -> list[str]:
    """Create the missing day partitions around now (PostgreSQL); the names created."""
    from venuecode import clock
    from venuecode.config import get_settings
    from venuecode.scans.partitions import maintain_engine

    if engine.dialect.name != "postgresql":
        return []
    days = get_settings().retention_days if keep_days is None else keep_days
    return maintain_engine(engine, clock.now(), days)
