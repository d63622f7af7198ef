"""A trace run is timed in the Prometheus metrics."""

from __future__ import annotations

from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from tests.integration.tracing.test_service import AS_OF, CASE, seed_city
from tests.support import factories
from venuecode.audit.service import Actor
from venuecode.config import Settings
from venuecode.tracing.service import TraceRequest, run_trace


def test_a_trace_run_is_observed_once(db: Session, settings: Settings, clock: object) -> None:
    seed_city(db)
    user = factories.user(db)
    before = REGISTRY.get_sample_value("venuecode_trace_seconds_count") or 0.0
    run_trace(db, settings, Actor(f"user:{user.id}", "tracer"), user.id,
              TraceRequest([CASE], as_of=AS_OF, reason="metrics"))
    assert REGISTRY.get_sample_value("venuecode_trace_seconds_count") == before + 1
