"""Alembic environment: the engine comes from the caller or from the settings."""

from __future__ import annotations

from alembic import context

from venuecode.config import get_settings
from venuecode.db import make_engine
from venuecode.migrate import include_name
from venuecode.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine") or make_engine(get_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        context.run_migrations()


run_migrations()
