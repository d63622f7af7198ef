"""`venuecode serve`: the web app on uvicorn."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer
import uvicorn

from venuecode.cli.common import fail, settings
from venuecode.config import SettingsError
from venuecode.db import make_engine
from venuecode.migrate import SchemaOutOfDate, ensure_schema


def prepare(workers: int | None = None) -> None:
    s = settings()
    try:
        s.check_for_start(workers)
        check_redis(s.redis_url, s.redis_prefix)
        engine = make_engine(s.database_url)
        state = ensure_schema(engine)
        engine.dispose()
    except (SettingsError, SchemaOutOfDate) as exc:
        fail(str(exc))
    if state == "created":
        typer.echo("created the database schema")


def check_redis(url: str | None, prefix: str) -> None:
    """Stop at start, not at the first scan, when the configured Redis does not answer."""
    from venuecode.access.ratelimit import Limiter

    if url and not Limiter.redis(url, prefix).healthy():
        where = urlsplit(url)  # host and port only: the URL may hold a password
        raise SettingsError(f"VENUECODE_REDIS_URL: no answer from Redis at {where.hostname}:"
                            f"{where.port or 6379}; start it or fix the address.")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Run the web app (migrates an empty database first)."""
    prepare(workers)
    s = settings()
    uvicorn.run(
        "venuecode.web.asgi:app",
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        proxy_headers=True,
        access_log=False,
    )
