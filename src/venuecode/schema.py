"""Create or upgrade the database schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine

import venuecode.models  # noqa: F401 - every table registered: callers use the ORM next
from venuecode.migrate import upgrade_engine


def create_schema(engine: Engine) -> None:
    """Bring an empty database to the current schema with the Alembic migrations.

    The migrations are the one way a schema is made (so tests exercise them); the models
    are the source they are generated from.
    """
    if not upgrade_engine(engine):
        raise RuntimeError("venuecode has no migrations: the package is incomplete")
