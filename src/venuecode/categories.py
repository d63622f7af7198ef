"""Venue categories from `venue-categories.csv` (the shared spec, shipped as package data)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Category:
    slug: str
    name_zh: str
    name_en: str
    default_dwell_minutes: int

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


@cache
def categories() -> dict[str, Category]:
    text = resources.files("venuecode").joinpath("categories.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["slug"]: Category(r["slug"], r["name_zh"], r["name_en"], int(r["default_dwell_minutes"]))
        for r in rows
    }


# The longest stay a dwell override may set: a week (hotels, hospitals' wards).
MAX_DWELL_MINUTES = 7 * 24 * 60


def dwell_override_problems(overrides: dict[str, float]) -> list[str]:
    """What is wrong with a `category -> minutes` stay override, in English (empty if fine)."""
    known = categories()
    problems = [f"unknown venue category {slug!r} (known: {', '.join(sorted(known))})"
                for slug in overrides if slug not in known]
    problems += [f"stay for {slug!r} must be > 0 and at most {MAX_DWELL_MINUTES} minutes, got {minutes}"
                 for slug, minutes in overrides.items()
                 if not (isinstance(minutes, int | float) and 0 < minutes <= MAX_DWELL_MINUTES)]
    # A pasted table of garbage gets a readable answer, not one line per key.
    return problems if len(problems) <= 5 else [*problems[:5], f"and {len(problems) - 5} more"]


def get_category(slug: str) -> Category | None:
    return categories().get(slug)


def dwell_table() -> dict[str, int]:
    """Default stay length in minutes per category slug (the tracing rules' dwell())."""
    return {slug: c.default_dwell_minutes for slug, c in categories().items()}
