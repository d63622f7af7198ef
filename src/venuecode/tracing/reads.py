"""Which persons a staff read of a trace shows: what goes into their access logs.

Each function returns the id numbers one read puts in front of a tracer (the run's
whole result, the rows of one page, the persons of a graph, the cases of the lists),
for `audit.service.record_about`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def result_persons(result: Mapping[str, Any]) -> Iterator[str]:
    """Every case and contact of a trace result (its JSON shape)."""
    for case in result.get("cases", []):
        yield case["id_number"]
    for contact in result.get("contacts", []):
        yield contact["id_number"]


def row_persons(result: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A page of a trace: its cases (shown above the table), each row's person and source."""
    for case in result.get("cases", []):
        yield case["id_number"]
    for row in rows:
        yield row["id_number"]
        yield row["source"]


def graph_persons(data: Mapping[str, Any]) -> Iterator[str]:
    """The persons a graph names: case and person nodes, and the samples of groups."""
    for node in data.get("nodes", []):
        details = node.get("data", node).get("details") or {}
        if details.get("id_number"):
            yield details["id_number"]
        if details.get("source"):
            yield details["source"]
        yield from details.get("sample", [])


def listed_cases(case_lists: Iterable[Iterable[str]]) -> Iterator[str]:
    for cases in case_lists:
        yield from cases
