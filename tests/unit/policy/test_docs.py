"""docs/policy.md stays true to the code: every reason and category default is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from venuecode.policy import CATALOGUE, CATEGORY_DEFAULTS

DOC = (Path(__file__).parents[3] / "docs" / "policy.md").read_text("utf-8")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_reason_code_is_documented_with_its_texts(code: str) -> None:
    spec = CATALOGUE[code]
    row = f"| `{code}` | {spec.severity} | {spec.panel} | {spec.zh} | {spec.en} |"
    assert row in DOC


@pytest.mark.parametrize("slug", sorted(CATEGORY_DEFAULTS))
def test_every_category_default_is_documented(slug: str) -> None:
    defaults = CATEGORY_DEFAULTS[slug]
    (line,) = [line for line in DOC.splitlines() if line.startswith(f"| `{slug}` ")]
    assert f"| {defaults.test_window_hours} h |" in line
    assert ("| required" in line) == defaults.require_full_vaccination
