"""Spreadsheet cells that stay text: every CSV or XLSX the app writes goes through here.

Values come from other departments' files and from citizens, so `=HYPERLINK(...)` must
reach the spreadsheet as plain text, never as a formula (CSV injection).
"""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a leading quote keeps the value text."""
    return "'" + value if value.startswith(_FORMULA_START) else value
