"""The CLI starts without loading the application: `version` and `--help` stay fast.

Typer needs only the commands' signatures, so command modules import the database, web
and numeric libraries inside the command functions. A fresh interpreter shows what
importing the CLI (and answering `version`) really loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable

HEAVY = ("sqlalchemy", "fastapi", "starlette", "numpy", "pydantic_settings", "PIL", "uvicorn",
         "alembic", "fontTools", "openpyxl", "venuecode.models", "venuecode.config")

_PROBE = """
import json, sys
sys.argv = ["venuecode", *sys.argv[1:]]
from venuecode.cli.main import app
try:
    app()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded_by(*argv: str) -> tuple[str, set[str]]:
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True,
                            env=os.environ.copy(), check=False, timeout=60)
    return result.stdout, set(json.loads(result.stderr.strip().splitlines()[-1]))


def _heavy(modules: Iterable[str]) -> list[str]:
    return sorted(name for name in HEAVY if name in modules)


def test_version_loads_no_heavy_library() -> None:
    out, modules = _loaded_by("version")
    assert out.strip() == __import__("venuecode").__version__
    assert _heavy(modules) == []
    assert "rich" not in modules  # Typer loads it for help pages only


def test_help_lists_every_command_without_loading_them() -> None:
    out, modules = _loaded_by("--help")
    for command in ("serve", "demo", "trace", "import", "assist", "retention"):
        assert command in out
    assert _heavy(modules) == []


def test_trace_help_loads_no_database_library() -> None:
    out, modules = _loaded_by("trace", "--help")
    assert "--case" in out
    assert _heavy(modules) == []
