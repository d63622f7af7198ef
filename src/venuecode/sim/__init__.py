"""Synthetic city for demos, tests and benchmarks (`venuecode simulate`).

    from venuecode.sim import SimParams, generate_city, city_records
    generate_city(SimParams(persons=1000, venues=200, days=7, seed=1, end=date(...)), path)
    records = city_records(SimParams(...))  # small cities: {kind: [row dicts]}
"""

from venuecode.sim.city import SimParams, default_end
from venuecode.sim.writer import COLUMNS, city_records, generate_city, read_city

__all__ = ["COLUMNS", "SimParams", "city_records", "default_end", "generate_city", "read_city"]
