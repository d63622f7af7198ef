"""`venuecode serve`: the web app on uvicorn."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer

from venuecode.cmdline import fail, settings
from venuecode.observability import MULTIPROC_ENV

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from venuecode.config import Settings


def prepare(workers: int | None = None) -> None:
    from venuecode.config import SettingsError
    from venuecode.db import make_engine
    from venuecode.migrate import SchemaOutOfDate, ensure_schema

    s = settings()
    try:
        s.check_for_start(workers)
        check_redis(s.redis_url, s.redis_prefix)
        engine = make_engine(s.database_url)
        state = ensure_schema(engine)
        _create_partitions(engine, s.retention_days)
        engine.dispose()
    except (SettingsError, SchemaOutOfDate) as exc:
        fail(str(exc))
    if state == "created":
        typer.echo("created the database schema")


def check_redis(url: str | None, prefix: str) -> None:
    """Stop at start, not at the first scan, when the configured Redis does not answer."""
    from venuecode.access.ratelimit import Limiter
    from venuecode.config import SettingsError

    if url and not Limiter.redis(url, prefix).healthy():
        where = urlsplit(url)  # host and port only: the URL may hold a password
        raise SettingsError(f"VENUECODE_REDIS_URL: no answer from Redis at {where.hostname}:"
                            f"{where.port or 6379}; start it or fix the address.")


def uvicorn_options(s: Settings) -> dict[str, Any]:
    """Logging, proxy trust and graceful shutdown, from the settings."""
    from venuecode.observability.logs import log_config

    trusted = s.forwarded_allow_ips.strip()
    return {
        "log_config": log_config(s.effective_log_format, s.log_level),
        "log_level": s.log_level,
        "access_log": False,  # our middleware writes the access log (structured, redacted)
        # X-Forwarded-For/-Proto are honoured only from the proxies named in the setting.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "timeout_graceful_shutdown": s.shutdown_timeout_seconds,
        "server_header": False,
    }


def _metrics_dir(workers: int) -> tuple[Path | None, bool]:
    """Prometheus's multiprocess folder: emptied at start (values of an earlier run would
    add up), a fresh temporary one when several workers need one. (path, ours to remove)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return folder, False
    if workers > 1:
        folder = Path(tempfile.mkdtemp(prefix="venuecode-metrics-"))
        os.environ[MULTIPROC_ENV] = str(folder)
        return folder, True
    return None, False


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
    import uvicorn

    prepare(workers)
    s = settings()
    count = workers or s.workers
    folder, ours = _metrics_dir(count)
    try:
        uvicorn.run(
            "venuecode.web.asgi:app",
            host=host or s.host,
            port=port or s.port,
            workers=count,
            **uvicorn_options(s),
        )
    finally:
        if ours and folder is not None:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(folder, ignore_errors=True)
