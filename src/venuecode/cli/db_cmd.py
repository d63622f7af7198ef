"""`venuecode db upgrade|current|partitions`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from venuecode.cmdline import settings

app = typer.Typer(help="Database schema (Alembic migrations) and day partitions.",
                  no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database named by VENUECODE_DATABASE_URL to the newest schema."""
    from venuecode.db import make_engine
    from venuecode.migrate import current_revision, upgrade_engine
    from venuecode.schema import maintain_partitions

    engine = make_engine(settings().database_url)
    upgrade_engine(engine)
    created = maintain_partitions(engine, settings().retention_days)
    typer.echo(f"database at revision {current_revision(engine)}")
    if created:
        typer.echo(f"created {len(created)} partitions")
    engine.dispose()


@app.command("current")
def current() -> None:
    """Print the database's schema revision and the newest one."""
    from venuecode.db import make_engine
    from venuecode.migrate import current_revision, head_revision

    engine = make_engine(settings().database_url)
    typer.echo(f"database: {current_revision(engine)}  code: {head_revision()}")
    engine.dispose()


@app.command("partitions")
def partitions_command(
    first: Annotated[str | None, typer.Option(
        "--from", help="Also create the days from this UTC date (YYYY-MM-DD), e.g. before "
                       "importing older check-ins.")] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="... up to this UTC date (default: --from).")] = None,
    ahead: Annotated[int | None, typer.Option(
        help="Days ahead of today to create (default 3: scans.partitions.AHEAD_DAYS).")] = None,
) -> None:
    """PostgreSQL: create the missing day partitions of check-ins and denied attempts
    (the retention window and the days ahead), then list them with their rows."""
    from venuecode import clock
    from venuecode.cmdline import fail
    from venuecode.db import make_engine
    from venuecode.scans import partitions

    s = settings()
    engine = make_engine(s.database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        typer.echo("SQLite keeps plain tables: no partitions.")
        return
    try:
        extra = (date.fromisoformat(first), date.fromisoformat(last or first)) if first else None
    except ValueError:
        fail("--from and --to take dates as YYYY-MM-DD")
    with engine.begin() as connection:
        if not partitions.is_partitioned(connection):
            fail("the tables are not partitioned yet: run `venuecode db upgrade` first")
        created = partitions.maintain(connection, clock.now(), s.retention_days,
                                     partitions.AHEAD_DAYS if ahead is None else ahead)
        if extra is not None:
            created += partitions.ensure_days(connection, *extra)
    with engine.connect() as connection:
        for table in partitions.PARTITIONED:
            counts = partitions.row_counts(connection, table)
            for p in partitions.partitions(connection, table):
                span = ("DEFAULT" if p.is_default else
                        f"{partitions.day_of(p.lo or 0).isoformat()} (UTC)")
                mark = "  (new)" if p.name in created else ""
                typer.echo(f"{p.name:<30} {span:<18} {counts.get(p.name, 0):>12,} rows{mark}")
    engine.dispose()
    typer.echo(f"created {len(created)} partitions; day rows are the planner's estimates")
