"""`venuecode db upgrade|current`."""

from __future__ import annotations

import typer

from venuecode.cmdline import settings

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database named by VENUECODE_DATABASE_URL to the newest schema."""
    from venuecode.db import make_engine
    from venuecode.migrate import current_revision, upgrade_engine

    engine = make_engine(settings().database_url)
    upgrade_engine(engine)
    typer.echo(f"database at revision {current_revision(engine)}")
    engine.dispose()


@app.command("current")
def current() -> None:
    """Print the database's schema revision and the newest one."""
    from venuecode.db import make_engine
    from venuecode.migrate import current_revision, head_revision

    engine = make_engine(settings().database_url)
    typer.echo(f"database: {current_revision(engine)}  code: {head_revision()}")
    engine.dispose()
