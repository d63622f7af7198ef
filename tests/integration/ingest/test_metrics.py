"""A finished import batch counts its rows in the Prometheus metrics, by kind and outcome."""

from __future__ import annotations

from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from venuecode.audit.service import Actor
from venuecode.ingest.service import push

from .conftest import BAD, GOOD

P_HEADER, P_ROWS = GOOD["persons"]


def _rows(outcome: str) -> float:
    return REGISTRY.get_sample_value("venuecode_imported_rows_total",
                                     {"kind": "persons", "outcome": outcome}) or 0.0


def test_a_push_counts_accepted_and_rejected_rows(env: Session) -> None:
    before = (_rows("accepted"), _rows("rejected"))
    records = [dict(zip(P_HEADER, row, strict=True)) for row in [*P_ROWS, BAD["persons"][0]]]
    summary = push(env, "persons", records, source="registry", actor=Actor("test", "system"))
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert (_rows("accepted"), _rows("rejected")) == (before[0] + 2, before[1] + 1)
