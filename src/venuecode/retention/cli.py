"""`venuecode retention purge`: run it daily (cron or a systemd timer)."""

from __future__ import annotations

from typing import Annotated

import typer

from venuecode.cmdline import session_scope, settings

app = typer.Typer(help="Delete personal data after its retention period.", no_args_is_help=True)


@app.command("purge")
def purge_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")] = False,
) -> None:
    """Delete check-ins, denied attempts, sign-in codes and import rejects past retention.

    On PostgreSQL, drops the day partitions wholly past retention and creates the days
    ahead (see `venuecode db partitions`).
    """
    from venuecode import clock
    from venuecode.audit.service import Actor
    from venuecode.retention.service import purge

    days = settings().retention_days
    with session_scope() as session:
        result = purge(session, Actor.cli(), clock.now(), days, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    typer.echo(f"{verb} (older than {days} days): " +
               ", ".join(f"{k} {v}" for k, v in result.counts.items()))
    if result.dropped:
        typer.echo(f"partitions {'to drop' if dry_run else 'dropped'}: {', '.join(result.dropped)}")
    if result.created:
        typer.echo(f"partitions created: {', '.join(result.created)}")
