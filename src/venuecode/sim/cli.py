"""`venuecode simulate`: write a synthetic city in the data-interface formats.

The lead registers it with `app.command("simulate")(simulate_command)`.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def simulate_command(
    persons: Annotated[int, typer.Option(help="Number of persons.", min=1)] = 10_000,
    venues: Annotated[int, typer.Option(help="Number of venues (at least 35).", min=35)] = 1_000,
    days: Annotated[int, typer.Option(help="Days of check-ins, ending at --end.", min=1)] = 14,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same files.")] = 1,
    output: Annotated[Path, typer.Option(help="Folder to write the files into.")] = Path(
        "city"),
    end: Annotated[str | None, typer.Option(
        help="Date (YYYY-MM-DD) whose 00:00 +08:00 ends the window; default today.")] = None,
    cases: Annotated[int | None, typer.Option(
        help="Number of cases; default persons/6000 (at least 1).", min=0)] = None,
    fmt: Annotated[str, typer.Option("--format", help="Output format: csv.")] = "csv",
) -> None:
    """Generate a synthetic Hangzhou: persons, venues, check-ins and every health fact."""
    from venuecode.sim.city import SimParams, default_end  # numpy: only when simulating
    from venuecode.sim.writer import generate_city

    if fmt != "csv":
        raise typer.BadParameter("only csv is supported", param_hint="--format")
    try:
        end_date = date.fromisoformat(end) if end else default_end()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--end") from None
    if end_date > default_end():
        raise typer.BadParameter("check-ins may not lie in the future", param_hint="--end")
    try:
        params = SimParams(persons, venues, days, seed, end_date, cases)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    started = time.perf_counter()
    manifest = generate_city(params, output, progress=lambda m: typer.echo(m, err=True))
    elapsed = time.perf_counter() - started
    for kind, rows in manifest["rows"].items():
        mb = manifest["bytes"][kind] / 1e6
        typer.echo(f"{kind + '.csv':24} {rows:>12,} rows {mb:>10.1f} MB")
    typer.echo(f"written to {output} in {elapsed:.1f} s")
