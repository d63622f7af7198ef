"""`venuecode retention purge`: run it daily (cron or a systemd timer)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from venuecode.cmdline import session_scope, settings

app = typer.Typer(help="Delete personal data after its retention period.", no_args_is_help=True)


@app.command("purge")
def purge_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Counts as one JSON object.")] = False,
) -> None:
    """Delete or pseudonymise every kind of personal data past its period, in short slices.

    Check-ins, denied attempts, stored trace results, health facts, lifted tracing marks,
    revoked paper codes, help-scan alerts, import rejects, sign-in codes, signed-out
    tokens and audit events (docs/security.md#retention). On PostgreSQL, drops the day
    partitions wholly past retention and creates the days ahead (`venuecode db partitions`).
    """
    from venuecode import clock
    from venuecode.audit.service import Actor
    from venuecode.retention.periods import Periods
    from venuecode.retention.service import KINDS, purge

    periods = Periods.of(settings())
    with session_scope() as session:
        result = purge(session, Actor.cli(), clock.now(), periods, dry_run=dry_run)
    if json_output:
        typer.echo(json.dumps({"dry_run": dry_run, "counts": result.counts,
                               "partitions_dropped": result.dropped,
                               "partitions_created": result.created}))
        return
    typer.echo("将删除 / would delete:" if dry_run else "已删除 / deleted:")
    for key, zh, en in KINDS:
        if key in result.counts:
            typer.echo(f"  {result.counts[key]:>10,}  {zh} / {en}")
    if result.dropped:
        verb = "将删除的分区 / partitions to drop" if dry_run else "已删除分区 / partitions dropped"
        typer.echo(f"{verb}: {', '.join(result.dropped)}")
    if result.created:
        typer.echo(f"已创建分区 / partitions created: {', '.join(result.created)}")
