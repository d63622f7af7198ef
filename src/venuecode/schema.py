"""Create or upgrade the database schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from venuecode.models import Base


def create_schema(engine: Engine) -> None:
    """Bring an empty database to the current schema.

    Runs the Alembic migrations when they exist (so tests exercise them); the models
    are the source the migrations are generated from.
    """
    from venuecode.migrate import upgrade_engine

    if not upgrade_engine(engine):
        Base.metadata.create_all(engine)
