"""A push covers what the tracer chose; large pushes need two supervisors; requests can be
withdrawn; the counts shown are the counts applied; bad input is refused in Chinese."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.tracing import test_actions
from tests.integration.tracing.test_actions import People, actor, traced
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.access_log import entries_for
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.errors import Conflict, InvalidInput, PermissionDenied
from venuecode.facts.models import ContactMark, HealthCodeRecord
from venuecode.tracing import actions
from venuecode.tracing.push_scope import PushScope, parse_scope

people = test_actions.people  # persons C (case), K close, S secondary, G general


def colors(db: Session) -> dict[str, str]:
    db.expire_all()
    return {r.id_number: r.color for r in db.scalars(select(HealthCodeRecord))}


def audit(db: Session, action: str) -> dict[str, object]:
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                       .order_by(AuditEvent.id.desc())).first()
    assert event is not None, action
    details: dict[str, object] = orjson.loads(event.details)
    return details


def test_only_the_tiers_ticked_are_pushed_and_excluded_persons_keep_their_code(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    extra = factories.id_number(806)
    scope = parse_scope(trace.result(), ["close", "secondary"], exclude_text=p["S"],
                        add_text=f"{extra},一般接触")
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, scope, "只推密接")
    assert action.persons == 2
    assert action.counts_json() == {"close": {"red": 1}, "general": {"yellow": 1}}
    assert audit(db, "trace.action_requested")["scope"] == scope.to_json()
    done = actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id,
                                persons=2)
    db.commit()
    assert done.status == "applied"
    assert colors(db) == {p["K"]: "red", extra: "yellow"}  # S excluded, G's tier not ticked
    approved = audit(db, "trace.action_approved")
    assert approved["scope"] == scope.to_json() and approved["red"] == 1
    # The pushed persons see the push in their access logs; the others do not.
    pushed_words = {e.action for e in entries_for(db, p["K"])}
    assert "trace.action_approved" in pushed_words
    assert "trace.action_approved" in {e.action for e in entries_for(db, extra)}
    for spared in (p["S"], p["G"]):
        assert "trace.action_approved" not in {e.action for e in entries_for(db, spared)}


def test_an_empty_scope_is_refused_and_nothing_is_requested(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    with pytest.raises(InvalidInput) as refused:
        actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, PushScope(()))
    assert refused.value.code == "push_scope_empty" and "至少勾选" in refused.value.message_zh
    assert actions.actions_of(db, trace.id) == []


def test_a_push_over_the_review_size_needs_a_second_different_supervisor(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    third = factories.user(db, Role.TRACING_SUPERVISOR)
    small = settings.model_copy(update={"push_review_persons": 2})
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                  parse_scope(trace.result(), ["close", "secondary", "general"]))
    assert action.persons == 3
    first = actions.approve_push(db, small, actor(p["boss"]), p["boss"].id, action.id, persons=3)
    assert first.status == "reviewed" and first.reviewed_by == p["boss"].id
    assert colors(db) == {} and db.scalars(select(ContactMark)).first() is None
    assert audit(db, "trace.action_reviewed")["persons"] == 3
    with pytest.raises(PermissionDenied) as again:
        actions.approve_push(db, small, actor(p["boss"]), p["boss"].id, action.id, persons=3)
    assert again.value.code == "four_eyes"
    second = actions.approve_push(db, small, actor(third), third.id, action.id, persons=3)
    db.commit()
    assert second.status == "applied"
    assert colors(db) == {p["K"]: "red", p["S"]: "red", p["G"]: "yellow"}
    assert audit(db, "trace.action_approved")["reviewed_by"] == p["boss"].id


def test_at_the_review_size_one_supervisor_suffices(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    edge = settings.model_copy(update={"push_review_persons": 3})
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                  parse_scope(trace.result(), ["close", "secondary", "general"]))
    assert actions.approve_push(db, edge, actor(p["boss"]), p["boss"].id,
                                action.id).status == "applied"


def test_a_count_other_than_the_requested_one_is_not_applied(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                  parse_scope(trace.result(), ["close"]))
    with pytest.raises(Conflict) as refused:
        actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id, persons=3)
    assert refused.value.code == "trace_action_count_changed"
    assert colors(db) == {}


def test_the_requester_withdraws_before_approval_and_nothing_can_be_approved_after(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                  parse_scope(trace.result(), ["close"]))
    other_tracer = factories.user(db, Role.TRACER)
    with pytest.raises(PermissionDenied):
        actions.withdraw_push(db, actor(other_tracer), other_tracer.id, action.id)
    assert actions.withdraw_push(db, actor(p["tracer"]), p["tracer"].id,
                                 action.id).status == "withdrawn"
    assert audit(db, "trace.action_withdrawn")["scope"] == {"tiers": ["close"], "exclude": [],
                                                            "add": []}
    with pytest.raises(Conflict):
        actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    assert colors(db) == {}
    # A withdrawn request is closed: asking again makes a new one.
    again = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                 parse_scope(trace.result(), ["general"]))
    assert again.id != action.id and again.persons == 1


def test_an_applied_push_cannot_be_withdrawn(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace,
                                  parse_scope(trace.result(), ["close"]))
    actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    with pytest.raises(Conflict) as refused:
        actions.withdraw_push(db, actor(p["tracer"]), p["tracer"].id, action.id)
    assert refused.value.code == "trace_action_closed"


def test_the_pages_show_counts_a_sample_and_refuse_bad_lists_in_chinese(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        people: People) -> None:
    p = people
    tracer = sign_in(client, settings, p["tracer"].phone, factories.PASSWORD)
    trace = traced(db, settings, p["tracer"], p)
    html = {**tracer, "Accept": "text/html"}
    form = client.get(f"/tracing/traces/{trace.id}", headers=tracer).text
    assert 'name="tiers" value="close"' in form and 'name="tiers" value="general"' in form
    bad = client.post(f"/tracing/traces/{trace.id}/actions", headers=html,
                      data={"tiers": ["close"], "exclude": "12345"})
    assert bad.status_code == 422 and "排除名单第 1 行" in bad.text and "12345" in bad.text
    assert actions.actions_of(db, trace.id) == []
    made = client.post(f"/tracing/traces/{trace.id}/actions", follow_redirects=False,
                       headers=tracer, data={"tiers": ["close", "general"], "note": "核实"})
    assert made.status_code == 303
    [action] = actions.actions_of(db, trace.id)
    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    page = client.get(f"/tracing/traces/{trace.id}", headers=boss).text
    assert f'id="sample-{action.id}"' in page and "密接" in page and "红码" in page
    assert f'name="persons" value="{action.persons}"' in page and "data-confirm" in page
    assert p["K"][:4] + "*" * 10 + p["K"][-4:] in page  # masked in the sample
    # The sample's persons are audited as viewed by the supervisor.
    assert "trace.viewed" in {e.action for e in entries_for(db, p["G"])}
    withdrawn = client.post(f"/tracing/actions/{action.id}/withdraw", headers=tracer,
                            follow_redirects=False)
    assert withdrawn.status_code == 303
    db.expire_all()
    assert actions.actions_of(db, trace.id)[0].status == "withdrawn"
