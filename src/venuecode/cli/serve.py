"""`venuecode serve`: the web app on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from venuecode.cli.common import fail, settings


def prepare() -> None:
    from venuecode.config import SettingsError
    from venuecode.db import make_engine
    from venuecode.migrate import SchemaOutOfDate, ensure_schema

    s = settings()
    try:
        s.check_for_start()
        engine = make_engine(s.database_url)
        state = ensure_schema(engine)
        engine.dispose()
    except (SettingsError, SchemaOutOfDate) as exc:
        fail(str(exc))
    if state == "created":
        typer.echo("created the database schema")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Run the web app (migrates an empty database first)."""
    import uvicorn

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
