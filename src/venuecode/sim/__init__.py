"""Synthetic city for demos, tests and benchmarks (`venuecode simulate`).

    from venuecode.sim import SimParams, generate_city, city_records
    generate_city(SimParams(persons=1000, venues=200, days=7, seed=1, end=date(...)), path)
    records = city_records(SimParams(...))  # small cities: {kind: [row dicts]}

The names load on first use (numpy is slow to import, and the CLI imports `sim.cli`
just to list its options).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venuecode.sim.city import SimParams, default_end
    from venuecode.sim.writer import COLUMNS, city_records, generate_city, read_city

__all__ = ["COLUMNS", "SimParams", "city_records", "default_end", "generate_city", "read_city"]
_HOME = {"SimParams": "city", "default_end": "city", "COLUMNS": "writer", "city_records": "writer",
         "generate_city": "writer", "read_city": "writer"}


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"venuecode.sim.{_HOME[name]}"), name)
