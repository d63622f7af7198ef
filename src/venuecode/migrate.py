"""Alembic, driven from code: `venuecode db upgrade`, and serve/demo on an empty database."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def alembic_config(engine: Engine | None = None) -> Config:
    location = Path(str(resources.files("venuecode").joinpath("migrations")))
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def has_migrations() -> bool:
    versions = Path(str(resources.files("venuecode").joinpath("migrations", "versions")))
    return versions.is_dir() and any(versions.glob("*.py"))


def upgrade_engine(engine: Engine, revision: str = "head") -> bool:
    """Apply migrations up to `revision`; False when there are no migrations yet."""
    if not has_migrations():
        return False
    command.upgrade(alembic_config(engine), revision)
    return True
