"""`venuecode` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from venuecode.assist.cli import app as assist_app
from venuecode.cli import db_cmd, demo, keys, users, venues
from venuecode.cli.serve import serve
from venuecode.ingest.cli import import_command, sources_app
from venuecode.retention.cli import app as retention_app
from venuecode.sim.cli import simulate_command
from venuecode.tracing.cli import trace_command

app = typer.Typer(
    name="venuecode",
    help="场所码 (venue code) platform: serve the app, manage venues and users, import data, trace.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve)
app.command("demo")(demo.demo)
app.command("simulate")(simulate_command)
app.command("import")(import_command)
app.command("trace")(trace_command)
app.add_typer(sources_app, name="sources")
app.add_typer(db_cmd.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(venues.app, name="venues")
app.add_typer(assist_app, name="assist")
app.add_typer(retention_app, name="retention")
app.add_typer(keys.app, name="keys")


@app.command("version")
def version(
    verbose: Annotated[bool, typer.Option(help="Also print the Python version.")] = False,
) -> None:
    """Print the version."""
    import sys

    from venuecode import __version__

    typer.echo(__version__ + (f" (Python {sys.version.split()[0]})" if verbose else ""))


if __name__ == "__main__":
    app()
