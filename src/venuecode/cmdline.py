"""What every command shares: settings, a database session, domain errors to exit codes.

Below both `cli/` (the `venuecode` command) and the capabilities' own `cli.py` modules, so
neither imports the other's package. Heavy modules (SQLAlchemy, pydantic-settings, the
models) are imported inside the functions: `venuecode version` and `--help` import this
module and must stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from venuecode.config import Settings


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def settings() -> Settings:
    from venuecode.config import get_settings

    try:
        return get_settings()
    except Exception as exc:  # pydantic ValidationError: show the variable and problem
        fail(f"invalid settings: {exc}")


@contextmanager
def session_scope(migrate: bool = True) -> Iterator[Session]:
    """A committed-on-success session on the configured database; domain errors → exit 1."""
    import venuecode.models  # noqa: F401 - every table registered before the first query
    from venuecode.config import SettingsError
    from venuecode.db import make_engine, make_sessionmaker, transaction
    from venuecode.errors import DomainError
    from venuecode.migrate import SchemaOutOfDate, ensure_schema

    s = settings()
    engine = make_engine(s.database_url)
    try:
        if migrate:
            ensure_schema(engine)
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    except DomainError as exc:
        fail(f"{exc.message_en} ({exc.code})", 1)
    except (SettingsError, SchemaOutOfDate) as exc:
        fail(str(exc))
    finally:
        engine.dispose()
