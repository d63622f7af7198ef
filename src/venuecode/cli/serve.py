"""`venuecode serve`: the web app on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import Engine

from venuecode.cli.common import fail, settings
from venuecode.config import SettingsError
from venuecode.db import make_engine
from venuecode.migrate import SchemaOutOfDate, ensure_schema


def prepare() -> None:
    s = settings()
    try:
        s.check_for_start()
        engine = make_engine(s.database_url)
        state = ensure_schema(engine)
        _create_partitions(engine, s.retention_days)
        engine.dispose()
    except (SettingsError, SchemaOutOfDate) as exc:
        fail(str(exc))
    if state == "created":
        typer.echo("created the database schema")


def _create_partitions(engine: Engine, keep_days: int) -> None:
    # PostgreSQL's day partitions (the daily purge creates them too); a lock wait that
    # times out must not stop the start: rows of a missing day go to the default partition.
    from sqlalchemy.exc import OperationalError

    from venuecode.schema import maintain_partitions

    try:
        maintain_partitions(engine, keep_days)
    except OperationalError as exc:
        typer.echo(f"warning: day partitions not created now ({exc.orig}); "
                   "run `venuecode db partitions`", err=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Run the web app (migrates an empty database first)."""
    prepare()
    s = settings()
    uvicorn.run(
        "venuecode.web.asgi:app",
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        proxy_headers=True,
        access_log=False,
    )
