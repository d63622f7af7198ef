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


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter for schema comparison: skip PostgreSQL's day partitions.

    The models describe `checkins` and `denied_attempts` once; on PostgreSQL they are
    partitioned parents whose children (`checkins_p20220419`, `checkins_default`, created
    at run time by venuecode.scans.partitions) are no model's tables.
    """
    from venuecode.scans.partitions import CHILD_NAME

    return not (type_ == "table" and name is not None and CHILD_NAME.match(name) is not None)


def has_migrations() -> bool:
    versions = Path(str(resources.files("venuecode").joinpath("migrations", "versions")))
    return versions.is_dir() and any(versions.glob("*.py"))


def upgrade_engine(engine: Engine, revision: str = "head") -> bool:
    """Apply migrations up to `revision`; False when there are no migrations yet."""
    if not has_migrations():
        return False
    command.upgrade(alembic_config(engine), revision)
    return True


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class SchemaOutOfDate(RuntimeError):
    pass


def ensure_schema(engine: Engine) -> str:
    """Migrate an empty database; refuse to start on one that is behind (say what to run)."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return "current"
    if current is None:
        from sqlalchemy import inspect

        if inspect(engine).get_table_names():
            raise SchemaOutOfDate(
                "The database has tables but no migration history; it was not created by "
                "venuecode. Point VENUECODE_DATABASE_URL at an empty database."
            )
        upgrade_engine(engine)
        return "created"
    raise SchemaOutOfDate(
        f"The database schema is at {current}, the code expects {head}. "
        "Run `venuecode db upgrade` (after a backup) and start again."
    )
