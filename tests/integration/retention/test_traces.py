"""Stored trace results: whole while their oldest evidence is within the scan period, then
only counts; held while one of their marks is open; lifted marks go with their trace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.tracing.test_actions import DAY, People, actor, people, traced, whole
from tests.support import factories
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.errors import Conflict
from venuecode.facts.models import ContactMark
from venuecode.retention.periods import Periods
from venuecode.retention.service import purge
from venuecode.tracing import actions
from venuecode.tracing.models import Trace
from venuecode.tracing.push_scope import parse_scope
from venuecode.tracing.retention import evidence_count

__all__ = ["people"]  # the fixture, imported for these tests

SECOND = timedelta(seconds=1)
PERIODS = Periods.defaults()
FIRST_EVIDENCE = DAY + timedelta(hours=10)  # the case's check-in at the market
EXPIRY = FIRST_EVIDENCE + PERIODS.scans


def _stored(db: Session, trace: Trace) -> str:
    db.expire(trace)
    return trace.result_json + trace.cases + trace.reason


def test_a_trace_is_whole_until_its_oldest_evidence_passes_the_period(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    assert trace.evidence_from == FIRST_EVIDENCE
    before = trace.result()
    persons = {c["id_number"] for c in before["contacts"]} | {p["C"]}
    assert len(persons) == 4 and evidence_count(before) >= 4

    inside = purge(db, Actor.cli(), EXPIRY - SECOND, PERIODS)
    assert inside.counts["traces"] == 0 and trace.result() == before

    assert purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS, dry_run=True).counts["traces"] == 1
    assert trace.result() == before
    outside = purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS)

    assert outside.counts["traces"] == 1
    assert outside.counts["trace_evidence"] == evidence_count(before)
    stored = _stored(db, trace)
    assert not any(person in stored for person in persons)
    assert "HZ-A-MARKET" not in stored and "HZ-A-MALL" not in stored and "测试" not in stored
    kept = trace.result()["pseudonymised"]
    assert kept["contacts"] == len(before["contacts"]) == trace.contacts
    assert kept["cases"] == 1 and kept["venues"] == len(before["venues"])
    assert kept["tiers"] == {"close": 1, "general": 1, "secondary": 1}
    with pytest.raises(Conflict) as refused:
        actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    assert refused.value.code == "trace_pseudonymised"
    # A second run finds nothing left to do.
    assert purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS).counts["traces"] == 0


def test_open_marks_hold_the_trace_and_lifted_marks_wait_for_it(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    actions.lift_marks(db, settings, actor(p["boss"]), trace, "隔离期满", id_number=p["K"])
    db.commit()
    later = EXPIRY + timedelta(days=60)  # past the trace's and the lifted mark's periods

    held = purge(db, Actor.cli(), later, PERIODS)

    assert held.counts["traces"] == 0 and held.counts["traces_held"] == 1
    assert held.counts["contact_marks"] == 0  # K's lifted mark waits: a re-push would skip K
    assert db.scalar(select(func.count(ContactMark.id))) == 3
    assert p["K"] in _stored(db, trace)

    actions.lift_marks(db, settings, actor(p["boss"]), trace, "隔离期满")
    db.commit()
    released = purge(db, Actor.cli(), later, PERIODS)

    assert released.counts["traces"] == 1 and released.counts["traces_held"] == 0
    assert released.counts["contact_marks"] == 3
    assert db.scalar(select(func.count(ContactMark.id))) == 0


def test_a_trace_stored_before_evidence_from_is_measured_by_the_first_purge(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    db.execute(update(Trace).where(Trace.id == trace.id).values(evidence_from=None))
    db.commit()

    assert purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS, dry_run=True).counts["traces"] == 1
    db.expire(trace)
    assert trace.evidence_from is None  # a dry run writes nothing
    assert purge(db, Actor.cli(), EXPIRY - SECOND, PERIODS).counts["traces"] == 0
    db.expire(trace)
    assert trace.evidence_from == FIRST_EVIDENCE
    assert purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS).counts["traces"] == 1


def test_the_page_of_a_pseudonymised_trace_says_what_is_left(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS)
    headers = sign_in(client, settings, p["tracer"].phone, factories.PASSWORD)

    page = client.get(f"/tracing/traces/{trace.id}", headers=headers)
    api = client.get(f"/api/v1/traces/{trace.id}", headers=headers)

    graph = client.get(f"/tracing/traces/{trace.id}/graph.json", headers=headers)
    export = client.get(f"/api/v1/traces/{trace.id}/export.csv", headers=headers)
    assert page.status_code == 200 and api.status_code == 200
    assert graph.status_code == 200 and export.status_code == 200
    assert p["K"] not in graph.text and p["K"] not in export.text
    assert "该流调结果已超过保留期限" in page.text and "风险人员 3 名" in page.text
    assert p["K"] not in page.text and p["C"] not in page.text
    assert api.json()["result"]["contacts"] == [] and api.json()["cases"] == []


def test_a_push_requests_excluded_and_added_persons_go_with_the_trace(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    added = factories.id_number(909)
    scope = parse_scope(trace.result(), ["close"], exclude_text="", add_text=added)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, scope, "备注")
    actions.withdraw_push(db, actor(p["tracer"]), p["tracer"].id, action.id)
    db.commit()
    assert purge(db, Actor.cli(), EXPIRY + SECOND, PERIODS).counts["traces"] == 1
    db.expire_all()
    [kept] = actions.actions_of(db, trace.id)
    assert added not in kept.scope and kept.scope_json()["tiers"] == ["close"]
    assert kept.note == "" and kept.persons == 2
