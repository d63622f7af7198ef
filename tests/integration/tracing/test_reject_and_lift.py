"""Rejecting a push request (four eyes, a reason) and lifting tracing marks (解除管控): the
rules, the local adapter's effect on codes and scans, the webhook's lift batches against a
real HTTP server on 127.0.0.1, the audit rows, and the pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.tracing import test_actions
from tests.integration.tracing.test_actions import (
    People,
    actor,
    contact_k_at_the_market,
    marks,
    traced,
    whole,
)
from tests.support import factories
from venuecode.audit.access_log import entries_for
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.errors import Conflict, InvalidInput, PermissionDenied
from venuecode.facts.models import ContactMark, HealthCodeRecord
from venuecode.people.models import User
from venuecode.tracing import actions
from venuecode.tracing.healthcode import WebhookHealthCodeAdapter
from venuecode.tracing.models import Trace, TraceAction

# The push tests' fixtures (persons C, K, G, S and a local HTTP receiver), found by pytest
# as attributes of this module.
people = test_actions.people
receiver = test_actions.receiver


def audits(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


def lifted_persons(db: Session) -> list[tuple[str, dict[str, Any]]]:
    """(person, the event's details) for each person a `trace.mark_lifted` event lists."""
    rows = db.execute(select(AuditSubject.id_number, AuditEvent.details)
                      .join(AuditEvent, AuditEvent.id == AuditSubject.event_id)
                      .where(AuditEvent.action == "trace.mark_lifted")
                      .order_by(AuditEvent.id, AuditSubject.id_number)).all()
    return [(number, orjson.loads(details)) for number, details in rows]


def pushed(db: Session, settings: Settings, p: People, by: User | None = None) -> Trace:
    """A trace run by the tracer, requested by them and applied by the supervisor."""
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    boss = by or p["boss"]
    assert actions.approve_push(db, settings, actor(boss), boss.id, action.id).status == "applied"
    db.commit()
    return trace


def code(db: Session, number: str) -> HealthCodeRecord:
    db.expire_all()
    record = db.get(HealthCodeRecord, number)
    assert record is not None
    return record


def open_marks(db: Session, number: str) -> int:
    return db.scalar(select(func.count(ContactMark.id)).where(
        ContactMark.id_number == number, ContactMark.cleared_at.is_(None))) or 0


# --- rejecting a push request -----------------------------------------------------------


def test_four_eyes_the_requester_or_the_tracer_cannot_reject(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["boss"], p)  # a supervisor ran it...
    # ...another asked
    action = actions.request_push(db, actor(p["other_boss"]), p["other_boss"].id, trace, whole(trace))
    for who in (p["boss"], p["other_boss"]):
        with pytest.raises(PermissionDenied) as denied:
            actions.reject_push(db, actor(who), who.id, action.id, "不需要推送")
        assert denied.value.code == "four_eyes" and "驳回" in denied.value.message_zh
    with pytest.raises(PermissionDenied) as denied:
        actions.reject_push(db, actor(p["tracer"]), p["tracer"].id, action.id, "不需要推送")
    assert denied.value.code == "trace_approve_role"
    assert action.status == "requested" and not audits(db, "trace.action_rejected")


@pytest.mark.parametrize("reason", ["", "   ", " 否 ", "长" * 501])
def test_a_rejection_needs_a_reason_of_2_to_500_characters(
        db: Session, settings: Settings, clock: FixedClock, people: People, reason: str) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    with pytest.raises(InvalidInput) as refused:
        actions.reject_push(db, actor(p["boss"]), p["boss"].id, action.id, reason)
    assert refused.value.code == "reason_required"
    assert "2–500" in refused.value.message_zh and "2 to 500" in refused.value.message_en
    assert action.status == "requested"


def test_a_rejected_request_cannot_be_approved_and_the_tracer_may_ask_again(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    first = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace), "请批准")
    rejected = actions.reject_push(db, actor(p["boss"]), p["boss"].id, first.id,
                                   "  接触时长数据待核实  ")
    db.commit()
    assert rejected.status == "rejected" and rejected.decided_by == p["boss"].id
    assert rejected.decided_at == clock.now()
    assert actions.outcome_of(rejected) == {"reason": "接触时长数据待核实"}
    [event] = audits(db, "trace.action_rejected")
    assert event.subject_id == str(trace.id) and event.reason == "接触时长数据待核实"
    assert orjson.loads(event.details)["action_id"] == first.id
    # Rejecting again changes nothing; approving afterwards is refused, nobody is marked.
    again = actions.reject_push(db, actor(p["other_boss"]), p["other_boss"].id, first.id, "再次驳回")
    assert again.status == "rejected" and len(audits(db, "trace.action_rejected")) == 1
    with pytest.raises(Conflict) as refused:
        actions.approve_push(db, settings, actor(p["other_boss"]), p["other_boss"].id, first.id)
    assert refused.value.code == "trace_action_rejected" and "驳回" in refused.value.message_zh
    assert marks(db) == 0

    second = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace), "已核实")
    assert second.id != first.id and second.status == "requested"
    assert actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace)).id == second.id
    applied = actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, second.id)
    assert applied.status == "applied" and marks(db) == 3


def test_an_applied_push_cannot_be_rejected_but_a_failed_one_can(
        db: Session, settings: Settings, clock: FixedClock, people: People, receiver: Any) -> None:
    p = people
    trace = pushed(db, settings, p)
    [applied] = actions.actions_of(db, trace.id)
    with pytest.raises(Conflict) as refused:
        actions.reject_push(db, actor(p["other_boss"]), p["other_boss"].id, applied.id, "推错了")
    assert refused.value.code == "trace_action_applied" and "解除管控" in refused.value.message_zh

    url = f"http://127.0.0.1:{receiver.server_address[1]}/healthcodes"
    webhook = settings.model_copy(update={"healthcode_backend": "webhook",
                                          "healthcode_webhook_url": url})
    receiver.fail = True
    other = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, other, whole(other))
    assert actions.approve_push(db, webhook, actor(p["boss"]), p["boss"].id, action.id).status == "failed"
    rejected = actions.reject_push(db, actor(p["boss"]), p["boss"].id, action.id, "平台维护，改日再推")
    outcome = actions.outcome_of(rejected)
    assert rejected.status == "rejected" and outcome["reason"] == "平台维护，改日再推"
    assert outcome["previous"]["error"] == "healthcode_push_failed"
    assert orjson.loads(audits(db, "trace.action_rejected")[-1].details)["previous_status"] == "failed"


def test_the_pages_reject_with_a_reason_and_show_it_to_the_tracer(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    tracer = sign_in(client, settings, p["tracer"].phone, factories.PASSWORD)
    trace = traced(db, settings, p["tracer"], p)
    assert client.post(f"/tracing/traces/{trace.id}/actions",
                       data={"note": "请批准", "tiers": list(whole(trace).tiers)},
                       headers=tracer, follow_redirects=False).status_code == 303
    [action] = actions.actions_of(db, trace.id)
    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    listed = client.get("/tracing", headers=boss).text
    assert f'action="/tracing/actions/{action.id}/reject"' in listed
    assert 'name="back" value="index"' in listed
    view = client.get(f"/tracing/traces/{trace.id}", headers=boss).text
    assert f'id="reject-{action.id}"' in view and f'id="approve-{action.id}"' in view

    html = {**boss, "Accept": "text/html"}
    short = client.post(f"/tracing/actions/{action.id}/reject", data={"reason": "否"}, headers=html)
    assert short.status_code == 422 and "2–500" in short.text
    english = client.post(f"/tracing/actions/{action.id}/reject?lang=en", data={"reason": " "},
                          headers=html)
    assert english.status_code == 422 and "2 to 500 characters" in english.text
    client.cookies.delete("lang")  # ?lang=en keeps English in a cookie
    done = client.post(f"/tracing/actions/{action.id}/reject",
                       data={"reason": "<b>数据待核实</b>", "back": "index"}, headers=boss,
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/tracing#open-actions"

    seen = client.get(f"/tracing/traces/{trace.id}", headers=tracer).text
    assert f'id="action-status-{action.id}">已驳回<' in seen
    assert "驳回原因</b> &lt;b&gt;数据待核实&lt;/b&gt;" in seen  # escaped, never markup
    assert 'id="request-push"' in seen  # a new request may be made
    assert f'id="reject-{action.id}"' not in client.get("/tracing", headers=boss).text


def test_the_list_tells_the_requester_another_supervisor_decides(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["boss"]), p["boss"].id, trace, whole(trace))
    db.commit()
    listed = client.get("/tracing", headers=boss).text
    assert f'id="reject-{action.id}"' not in listed and "双人复核" in listed
    refused = client.post(f"/tracing/actions/{action.id}/reject", data={"reason": "撤回申请"},
                          headers={**boss, "Accept": "text/html"})
    assert refused.status_code == 403 and "双人复核" in refused.text


# --- lifting marks (local backend) ------------------------------------------------------


def test_lifting_a_trace_restores_green_only_where_tracings_code_is_current(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = pushed(db, settings, p)
    pushed_at = clock.now()
    # Since the push, the provincial platform turned S's code red for its own reasons.
    clock.advance(timedelta(hours=2))
    s_code = code(db, p["S"])
    s_code.color, s_code.since, s_code.reason = "red", clock.now(), "省平台赋码"
    s_code.source = "provincial"
    db.commit()

    clock.advance(timedelta(days=14))
    done = actions.lift_marks(db, settings, actor(p["other_boss"]), trace, "  隔离期满，两次核酸阴性  ")
    db.commit()
    assert set(done.lifted) == {p["K"], p["S"], p["G"]} and done.still_marked == ()
    assert set(done.restored or ()) == {p["K"], p["G"]}
    k, g, s = code(db, p["K"]), code(db, p["G"]), code(db, p["S"])
    assert k.color == "green" and g.color == "green" and k.since == clock.now()
    assert k.reason == f"解除管控（流调 #{trace.id}）：隔离期满，两次核酸阴性"
    assert (s.color, s.source, s.reason) == ("red", "provincial", "省平台赋码")
    rows = list(db.scalars(select(ContactMark)))
    assert len(rows) == 3 and all(m.cleared_at == clock.now() for m in rows)
    assert {(m.cleared_by, m.cleared_reason) for m in rows} == {
        (f"user:{p['other_boss'].id}", "隔离期满，两次核酸阴性")}
    assert all(m.since == pushed_at for m in rows)

    # One event per outcome, listing its persons in bulk (issue 11: was one ORM event per
    # person): codes restored (K, G) and not (S, the province's red code stays).
    events = audits(db, "trace.mark_lifted")
    assert len(events) == 2
    assert {(e.subject_type, e.subject_id) for e in events} == {("trace", str(trace.id))}
    assert {e.reason for e in events} == {"隔离期满，两次核酸阴性"}
    listed = lifted_persons(db)
    assert sorted(n for n, _ in listed) == sorted([p["K"], p["S"], p["G"]])
    restored = {n: d["code_restored"] for n, d in listed}
    assert restored == {p["K"]: True, p["G"]: True, p["S"]: False}
    assert {d["trace_id"] for _, d in listed} == {trace.id}
    # Each person still reads it in their access log.
    for person in (p["K"], p["S"], p["G"]):
        assert "trace.mark_lifted" in [e.action for e in entries_for(db, person)]


def test_a_lifted_person_passes_the_next_scan_and_the_others_stay_denied(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    citizen, url = contact_k_at_the_market(client, db, settings, clock, p, "13700000124")
    trace = pushed(db, settings, p)
    clock.advance(timedelta(minutes=30))
    denied = client.post("/api/v1/scans", json={"venue_code": url}, headers=citizen).json()
    assert denied["decision"] == "deny"
    assert {"tracing_close", "health_code_red"} <= {r["code"] for r in denied["reasons"]}

    done = actions.lift_marks(db, settings, actor(p["boss"]), trace, "集中隔离期满解除", p["K"])
    db.commit()
    assert done.lifted == (p["K"],) and done.restored == (p["K"],)
    assert open_marks(db, p["K"]) == 0 and open_marks(db, p["S"]) == 1 and open_marks(db, p["G"]) == 1
    assert code(db, p["S"]).color == "red" and code(db, p["G"]).color == "yellow"

    clock.advance(timedelta(minutes=30))
    after = client.post("/api/v1/scans", json={"venue_code": url}, headers=citizen).json()
    assert after["decision"] == "pass", after
    assert not {r["code"] for r in after["reasons"]} & {"tracing_close", "health_code_red"}


def test_lifting_again_or_an_unmarked_person_is_a_no_op(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    before_push = actions.lift_marks(db, settings, actor(p["boss"]), trace, "尚未推送", p["K"])
    assert before_push.lifted == ()
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    assert actions.lift_marks(db, settings, actor(p["boss"]), trace, "解除", p["K"]).lifted == (p["K"],)
    again = actions.lift_marks(db, settings, actor(p["other_boss"]), trace, "再次解除", p["K"])
    outsider = actions.lift_marks(db, settings, actor(p["boss"]), trace, "不在流调中",
                                  factories.id_number(990))
    assert again.lifted == () and again.restored == () and outsider.lifted == ()
    assert [n for n, _ in lifted_persons(db)] == [p["K"]]


def test_only_a_supervisor_lifts_and_always_with_a_reason(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = pushed(db, settings, p)
    with pytest.raises(PermissionDenied) as denied:
        actions.lift_marks(db, settings, actor(p["tracer"]), trace, "隔离期满", p["K"])
    assert denied.value.code == "trace_lift_role"
    for reason in ("", " 满 ", "长" * 501):
        with pytest.raises(InvalidInput) as refused:
            actions.lift_marks(db, settings, actor(p["boss"]), trace, reason)
        assert refused.value.code == "reason_required"
    # No four eyes for lifting: the supervisor who approved the push may lift it.
    assert len(actions.lift_marks(db, settings, actor(p["boss"]), trace, "隔离期满").lifted) == 3
    assert open_marks(db, p["K"]) == 0


def test_pushing_a_lifted_trace_again_does_not_turn_its_persons_red_again(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = pushed(db, settings, p)
    actions.lift_marks(db, settings, actor(p["boss"]), trace, "隔离期满", p["K"])
    again = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    repushed = actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, again.id)
    assert repushed.status == "applied" and actions.outcome_of(repushed)["changed"] == 0
    assert code(db, p["K"]).color == "green" and open_marks(db, p["K"]) == 0 and marks(db) == 3


def test_a_code_stays_while_another_trace_still_marks_the_person(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    first = pushed(db, settings, p)
    clock.advance(timedelta(days=1))
    second = pushed(db, settings, p, by=p["other_boss"])  # the same persons, marked again
    assert marks(db) == 6
    done = actions.lift_marks(db, settings, actor(p["boss"]), first, "第一次暴露隔离期满")
    assert set(done.still_marked) == {p["K"], p["S"], p["G"]} and done.restored == ()
    assert code(db, p["K"]).color == "red" and code(db, p["G"]).color == "yellow"
    assert orjson.loads(audits(db, "trace.mark_lifted")[0].details)["still_marked"] is True
    last = actions.lift_marks(db, settings, actor(p["boss"]), second, "第二次暴露隔离期满")
    assert set(last.restored or ()) == {p["K"], p["S"], p["G"]} and last.still_marked == ()
    assert code(db, p["K"]).color == "green"
    assert code(db, p["K"]).reason == f"解除管控（流调 #{second.id}）：第二次暴露隔离期满"


# --- lifting through the webhook --------------------------------------------------------


def test_the_webhook_adapter_posts_lift_batches_with_an_idempotency_key(
        db: Session, settings: Settings, clock: FixedClock, people: People, receiver: Any) -> None:
    p = people
    url = f"http://127.0.0.1:{receiver.server_address[1]}/healthcodes"
    webhook = settings.model_copy(update={"healthcode_backend": "webhook",
                                          "healthcode_webhook_url": url})
    trace = traced(db, settings, p["tracer"], p)
    assert actions.lift_marks(db, webhook, actor(p["boss"]), trace, "尚未推送").lifted == ()
    assert receiver.bodies == []  # nothing was pushed, so nothing is lifted
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    assert actions.approve_push(db, webhook, actor(p["boss"]), p["boss"].id, action.id).status == "applied"
    assert receiver.bodies[-1]["action"] == "push"

    receiver.fail = True
    with pytest.raises(Conflict) as failed:
        actions.lift_marks(db, webhook, actor(p["boss"]), trace, "隔离期满", p["K"])
    assert failed.value.code == "healthcode_lift_failed" and "解除管控" in failed.value.message_zh
    assert not audits(db, "trace.mark_lifted")

    receiver.fail = False
    one = actions.lift_marks(db, webhook, actor(p["boss"]), trace, "隔离期满", p["K"])
    again = actions.lift_marks(db, webhook, actor(p["boss"]), trace, "隔离期满", p["K"])
    assert one.lifted == (p["K"],) and one.restored is None and one.batches == 1
    body = receiver.bodies[-1]
    assert body["action"] == "lift" and body["trace_id"] == trace.id
    assert body["id_numbers"] == [p["K"]] and body["reason"] == "隔离期满"
    assert (body["batch"], body["batches"]) == (1, 1) and again.lifted == (p["K"],)
    digest = hashlib.sha256(p["K"].encode()).hexdigest()[:16]
    # The same lift sent twice carries the same key: the platform recognises the retry.
    assert receiver.keys[-2:] == [f"trace-{trace.id}-lift-{digest}-batch-1"] * 2

    everyone = actions.lift_marks(db, webhook, actor(p["boss"]), trace, "全部解除")
    assert set(receiver.bodies[-1]["id_numbers"]) == {p["K"], p["S"], p["G"]}
    assert set(everyone.lifted) == {p["K"], p["S"], p["G"]}
    assert receiver.keys[-1] != receiver.keys[-2]
    # The platform owns codes and marks: our tables are left alone; the audit has each person.
    assert marks(db) == 0 and db.get(HealthCodeRecord, p["K"]) is None
    assert len(lifted_persons(db)) == 5
    assert orjson.loads(audits(db, "trace.mark_lifted")[-1].details)["backend"] == "webhook"


def test_large_lifts_go_in_batches(receiver: Any) -> None:
    from datetime import UTC, datetime

    url = f"http://127.0.0.1:{receiver.server_address[1]}/"
    numbers = [factories.id_number(n) for n in range(1_000)] + [f"X{n}" for n in range(201)]
    outcome = WebhookHealthCodeAdapter(url).lift(None, 7, numbers, "r", "cli", datetime.now(UTC))  # type: ignore[arg-type]
    assert outcome.batches == 3 and [len(b["id_numbers"]) for b in receiver.bodies] == [500, 500, 201]
    assert [k.rsplit("-", 1)[1] for k in receiver.keys] == ["1", "2", "3"]
    assert len({k.rsplit("-batch-", 1)[0] for k in receiver.keys}) == 1


# --- the pages --------------------------------------------------------------------------


def test_a_supervisor_lifts_one_person_or_the_whole_trace_from_the_page(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = pushed(db, settings, p)
    tracer = sign_in(client, settings, p["tracer"].phone, factories.PASSWORD)
    seen = client.get(f"/tracing/traces/{trace.id}", headers=tracer).text
    assert "管控中" in seen and f'id="lift-{p["K"]}"' not in seen and 'id="lift-all"' not in seen
    refused = client.post(f"/tracing/traces/{trace.id}/persons/{p['K']}/lift",
                          data={"reason": "隔离期满"}, headers=tracer)
    assert refused.status_code == 403

    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    view = client.get(f"/tracing/traces/{trace.id}", headers=boss).text
    assert f'id="lift-{p["K"]}"' in view and 'id="lift-all"' in view
    short = client.post(f"/tracing/traces/{trace.id}/persons/{p['K']}/lift", data={"reason": "满"},
                        headers={**boss, "Accept": "text/html"})
    assert short.status_code == 422 and "2–500" in short.text and open_marks(db, p["K"]) == 1

    one = client.post(f"/tracing/traces/{trace.id}/persons/{p['K']}/lift",
                      data={"reason": "隔离期满"}, headers=boss, follow_redirects=False)
    assert one.status_code == 303
    assert one.headers["location"] == (
        f"/tracing/traces/{trace.id}?lifted=1&still=0&restored=1#lift-notice")
    notice = client.get(one.headers["location"], headers=boss).text
    assert "已解除 1 人的管控" in notice and "1 人由流调赋的健康码已恢复为绿码" in notice
    assert f'id="lift-{p["K"]}"' not in notice and "已解除</span>" in notice
    assert open_marks(db, p["K"]) == 0 and code(db, p["K"]).color == "green"

    # The same person again: a notice, not an error page.
    again = client.post(f"/tracing/traces/{trace.id}/persons/{p['K']}/lift",
                        data={"reason": "隔离期满"}, headers=boss)
    assert again.status_code == 200 and "未找到本次流调尚在管控中的人员" in again.text
    english = client.get(f"/tracing/traces/{trace.id}?lifted=0&lang=en", headers=boss).text
    assert "No open tracing mark of this trace was found" in english
    client.cookies.delete("lang")

    everyone = client.post(f"/tracing/traces/{trace.id}/lift", data={"reason": "全部隔离期满"},
                           headers=boss)
    assert everyone.status_code == 200 and "已解除 2 人的管控" in everyone.text
    assert marks(db) == 3 and open_marks(db, p["S"]) == open_marks(db, p["G"]) == 0
    assert len(lifted_persons(db)) == 3


def test_a_trace_never_pushed_has_no_lift_controls(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    view = client.get(f"/tracing/traces/{trace.id}", headers=boss).text
    assert 'id="lift-all"' not in view and "管控状态" not in view
    assert db.scalar(select(func.count(TraceAction.id))) == 0
