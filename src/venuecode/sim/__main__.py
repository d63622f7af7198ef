"""`python -m venuecode.sim ...`: the simulate command without the full CLI."""

import typer

from venuecode.sim.cli import simulate_command

if __name__ == "__main__":
    typer.run(simulate_command)
