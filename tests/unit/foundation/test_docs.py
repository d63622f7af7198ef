"""Docs that tests keep true: every setting and every CLI command is documented."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import typer.main

from venuecode.cli.main import app
from venuecode.config import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs/settings.md").read_text("utf-8")
    documented = set(re.findall(r"`VENUECODE_([A-Z_]+)`", text))
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - documented == set(), "add these to docs/settings.md"
    assert documented - settings == set(), "docs/settings.md names settings that do not exist"


def _command_paths(group: object, prefix: str = "") -> set[str]:
    # Typer's groups are not necessarily click.Group subclasses; a group has `commands`.
    paths = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        path = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            paths |= _command_paths(command, path)
        else:
            paths.add(path)
    return paths


def test_every_cli_command_is_documented() -> None:
    docs = (ROOT / "README.md").read_text("utf-8") + "".join(
        p.read_text("utf-8") for p in (ROOT / "docs").glob("*.md"))
    commands = _command_paths(typer.main.get_command(app))
    missing = []
    for path in sorted(commands):
        group, _, leaf = path.rpartition(" ")
        words = [w for w in [*group.split(), leaf] if w]
        # "venues approve" is documented as `venuecode venues approve…` or in a slash list.
        if f"venuecode {path}" in docs:
            continue
        if group and re.search(rf"venuecode {re.escape(group)} [^`]*\b{re.escape(leaf)}\b", docs):
            continue
        missing.append(" ".join(words))
    assert missing == [], f"document these commands: {missing}"


def shared_spec(folders: Iterable[Path] | None = None) -> Path:
    """`shared/spec` beside the checkout (CI copies `shared/` there), or beside a folder
    above it (a git worktree); a missing spec fails, it never passes unchecked."""
    for folder in ROOT.parents if folders is None else folders:
        spec = folder / "shared/spec"
        if spec.is_dir():
            return spec
    pytest.fail(f"the shared spec is missing: no shared/spec beside {ROOT} or above it. "
                "Copy the shared/ folder next to the checkout (CI does) and run again.")


def test_packaged_categories_equal_the_shared_spec() -> None:
    spec = shared_spec() / "venue-categories.csv"
    packaged = ROOT / "src/venuecode/categories.csv"
    assert packaged.read_text("utf-8") == spec.read_text("utf-8")


def test_every_template_message_has_a_chinese_translation() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from i18n_check import missing

    assert missing() == []


def test_a_missing_shared_spec_fails_and_says_what_to_do(tmp_path: Path) -> None:
    # Folders of our own with no shared/ beside them (the real parents of a temporary
    # folder may hold one: CI may lay shared/ anywhere above the clone).
    with pytest.raises(pytest.fail.Exception, match="Copy the shared/ folder"):
        shared_spec([tmp_path / "clone", tmp_path])
