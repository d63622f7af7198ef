"""Every library the package imports is declared: a plain wheel install must run.

The audit reads the import statements of every module (no import is executed) and maps
each top-level name to the distribution that provides it in this environment.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "src" / "venuecode"
# Imported only inside functions that answer "install the extra" when it is missing.
OPTIONAL = {"rapidocr_onnxruntime": "ocr"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def _imported() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top != "venuecode" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_library_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = {group: {_name(r) for r in reqs} for group, reqs in project["optional-dependencies"].items()}
    providers = packages_distributions()
    problems = []
    for module, files in sorted(_imported().items()):
        dists = {_name(d) for d in providers.get(module, [])}
        if not dists:
            problems.append(f"{module}: not installed here, so its distribution is unknown ({min(files)})")
        elif module in OPTIONAL:
            if not dists & extras[OPTIONAL[module]]:
                problems.append(f"{module}: missing from the [{OPTIONAL[module]}] extra")
        elif not dists & runtime:
            problems.append(f"{module} ({', '.join(sorted(dists))}): imported by {min(files)} "
                            "but not in [project] dependencies")
    assert problems == []


def test_the_audit_sees_the_libraries_it_must() -> None:
    # Guards the audit itself: a walker that found nothing would pass the test above.
    imported = _imported()
    assert {"sqlalchemy", "fastapi", "fontTools", "zxingcpp", "rapidocr_onnxruntime"} <= set(imported)
