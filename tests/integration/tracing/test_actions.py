"""Health-code push: four eyes, the local adapter's effect on scans, idempotence, and the
webhook adapter against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.errors import PermissionDenied
from venuecode.facts.models import ContactMark, HealthCodeRecord
from venuecode.people.models import User
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.succession import relink_all
from venuecode.tracing import actions
from venuecode.tracing.healthcode import WebhookHealthCodeAdapter, adapter_for
from venuecode.tracing.models import Trace
from venuecode.tracing.push_scope import PushScope, whole_trace
from venuecode.tracing.service import TraceRequest, run_trace
from venuecode.venues import service as venues
from venuecode.venues.models import Venue

DAY = datetime(2022, 4, 17, tzinfo=UTC)
People = dict[str, Any]


def whole(trace: Trace) -> PushScope:
    return whole_trace(trace.result())


def actor(user: User) -> Actor:
    return Actor(f"user:{user.id}", user.role)


def visit(db: Session, venue: Venue, number: str, minute: int, minutes: int, hour: int = 10) -> None:
    start = DAY + timedelta(hours=hour, minutes=minute)
    db.add(Checkin(id_number=number, venue_pk=venue.id, channel="scan", scanned_at=start,
                   checked_out_at=start + timedelta(minutes=minutes)))


@pytest.fixture
def people(db: Session) -> dict[str, Any]:
    """Case C; K close (30 min), G general (5 min), S secondary (K's 30 min at the mall)."""
    p: dict[str, Any] = {k: factories.id_number(n) for k, n in
                         (("C", 801), ("K", 802), ("G", 803), ("S", 804))}
    manager = factories.user(db, Role.VENUE_MANAGER)
    market = factories.venue(db, venue_id="HZ-A-MARKET", manager=manager)
    mall = factories.venue(db, venue_id="HZ-A-MALL", category="mall", name="西溪印象城")
    visit(db, market, p["C"], 0, 40)
    visit(db, market, p["K"], 5, 30)
    visit(db, market, p["G"], 35, 15)
    visit(db, mall, p["K"], 0, 30, hour=15)
    visit(db, mall, p["S"], 0, 40, hour=15)
    f.case(db, p["C"], DAY + timedelta(days=1, hours=12))
    p["market"], p["manager"] = market, manager
    p["tracer"] = factories.user(db, Role.TRACER)
    p["boss"] = factories.user(db, Role.TRACING_SUPERVISOR)
    p["other_boss"] = factories.user(db, Role.TRACING_SUPERVISOR)
    db.flush()
    relink_all(db.connection())
    db.commit()
    return p


def traced(db: Session, settings: Settings, by: User, p: dict[str, Any]) -> Trace:
    trace = run_trace(db, settings, actor(by), by.id, TraceRequest(cases=[p["C"]], reason="测试"))
    db.commit()
    return trace


def marks(db: Session) -> int:
    return db.scalar(select(func.count(ContactMark.id))) or 0


def test_four_eyes_the_requester_or_the_tracer_cannot_approve(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["boss"], p)  # a supervisor ran it...
    # ...another asked
    action = actions.request_push(db, actor(p["other_boss"]), p["other_boss"].id, trace, whole(trace))
    for who in (p["boss"], p["other_boss"]):
        with pytest.raises(PermissionDenied) as denied:
            actions.approve_push(db, settings, actor(who), who.id, action.id)
        assert denied.value.code == "four_eyes" and "双人复核" in denied.value.message_zh
    with pytest.raises(PermissionDenied) as denied:
        actions.approve_push(db, settings, actor(p["tracer"]), p["tracer"].id, action.id)
    assert denied.value.code == "trace_approve_role"
    assert marks(db) == 0


def test_the_approval_page_says_why_the_same_person_may_not_approve(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    boss = sign_in(client, settings, p["boss"].phone, factories.PASSWORD)
    trace = traced(db, settings, p["tracer"], p)
    requested = client.post(f"/tracing/traces/{trace.id}/actions",
                            data={"note": "请批准", "tiers": ["close", "secondary", "general"]},
                            headers=boss, follow_redirects=False)
    assert requested.status_code == 303
    action = actions.actions_of(db, trace.id)[0]
    response = client.post(f"/tracing/actions/{action.id}/approve",
                           headers={**boss, "Accept": "text/html"})
    assert response.status_code == 403 and "双人复核" in response.text
    other = sign_in(client, settings, p["other_boss"].phone, factories.PASSWORD)
    approved = client.post(f"/tracing/actions/{action.id}/approve", headers=other,
                           follow_redirects=False)
    assert approved.status_code == 303
    db.expire_all()
    assert actions.actions_of(db, trace.id)[0].status == "applied"
    view = client.get(f"/tracing/traces/{trace.id}", headers=other).text
    assert 'id="action-status-' in view


def contact_k_at_the_market(client: TestClient, db: Session, settings: Settings, clock: FixedClock,
                            p: People, phone: str) -> tuple[dict[str, str], str]:
    """K signed in on their own phone with a healthy record, and the market's code URL."""
    citizen = sign_in(client, settings, phone)
    assert client.put("/api/v1/me/identity", json={"id_number": p["K"], "name": "王密接"},
                      headers=citizen).status_code == 200
    f.healthy(db, p["K"], clock.now())
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    return citizen, signer.url(venues.venue_token(signer, p["market"]) or "")


def test_approval_turns_codes_red_and_yellow_and_the_next_scan_is_denied_with_instructions(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    citizen, url = contact_k_at_the_market(client, db, settings, clock, p, "13700000123")
    before = client.post("/api/v1/scans", json={"venue_code": url}, headers=citizen).json()
    assert before["decision"] == "pass"

    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace), "密接赋红码")
    done = actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    db.commit()
    assert done.status == "applied"
    assert actions.outcome_of(done)["red"] == 2 and actions.outcome_of(done)["yellow"] == 1
    codes = {r.id_number: r for r in db.scalars(select(HealthCodeRecord))}
    assert codes[p["K"]].color == "red" and codes[p["S"]].color == "red"
    assert codes[p["G"]].color == "yellow"
    assert codes[p["K"]].reason == f"流调：密接（流调 #{trace.id}）"
    kinds = {m.id_number: (m.kind, m.trace_id) for m in db.scalars(select(ContactMark))}
    assert kinds == {p["K"]: ("close", trace.id), p["S"]: ("secondary", trace.id),
                     p["G"]: ("general", trace.id)}
    assert [e.action for e in db.scalars(select(AuditEvent).where(
        AuditEvent.action.like("trace.action%")).order_by(AuditEvent.id))] == [
        "trace.action_requested", "trace.action_approved"]

    clock.advance(timedelta(minutes=30))
    after = client.post("/api/v1/scans", json={"venue_code": url}, headers=citizen).json()
    assert after["decision"] == "deny"
    reasons = {r["code"]: r for r in after["reasons"]}
    assert "tracing_close" in reasons and "health_code_red" in reasons
    assert "集中隔离" in json.dumps(after, ensure_ascii=False)
    assert db.scalar(select(func.count(DeniedAttempt.id)).where(
        DeniedAttempt.id_number == p["K"])) == 1
    # The venue's staff see the refused attempt on their entries list.
    staff = sign_in(client, settings, p["manager"].phone)
    entries = client.get(f"/api/v1/venues/{p['market'].venue_id}/entries", headers=staff).json()
    assert entries["counts"]["denied"] == 1
    assert any(r["decision"] == "deny" for r in entries["rows"])


def test_approving_twice_or_pushing_again_adds_no_marks(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    trace = traced(db, settings, p["tracer"], p)
    first = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    assert actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace)).id == first.id
    actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, first.id)
    assert marks(db) == 3
    again = actions.approve_push(db, settings, actor(p["other_boss"]), p["other_boss"].id, first.id)
    assert again.status == "applied" and marks(db) == 3
    second = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    assert second.id != first.id
    repushed = actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, second.id)
    assert repushed.status == "applied" and actions.outcome_of(repushed)["changed"] == 0
    assert marks(db) == 3 and db.scalar(select(func.count(HealthCodeRecord.id_number))) == 3


def test_a_later_yellow_never_lowers_a_red_code(
        db: Session, settings: Settings, clock: FixedClock, people: People) -> None:
    p = people
    f.health_code(db, p["G"], "red", clock.now() - timedelta(days=1), "其他原因")
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))
    actions.approve_push(db, settings, actor(p["boss"]), p["boss"].id, action.id)
    code = db.get(HealthCodeRecord, p["G"])
    assert code is not None and code.color == "red" and code.reason == "其他原因"


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]
    keys: list[str]
    fail: bool

    def do_POST(self) -> None:
        server: Any = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if server.fail:
            self.send_response(503)
        else:
            server.bodies.append(body)
            server.keys.append(self.headers["Idempotency-Key"])
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def receiver() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.bodies, server.keys, server.fail = [], [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_webhook_adapter_posts_batches_and_a_failed_push_can_be_retried(
        db: Session, settings: Settings, clock: FixedClock, people: People, receiver: Any) -> None:
    p = people
    url = f"http://127.0.0.1:{receiver.server_address[1]}/healthcodes"
    webhook = settings.model_copy(update={"healthcode_backend": "webhook",
                                          "healthcode_webhook_url": url})
    assert isinstance(adapter_for(webhook), WebhookHealthCodeAdapter)
    trace = traced(db, settings, p["tracer"], p)
    action = actions.request_push(db, actor(p["tracer"]), p["tracer"].id, trace, whole(trace))

    receiver.fail = True
    failed = actions.approve_push(db, webhook, actor(p["boss"]), p["boss"].id, action.id)
    assert failed.status == "failed" and actions.outcome_of(failed)["error"] == "healthcode_push_failed"

    receiver.fail = False
    done = actions.approve_push(db, webhook, actor(p["boss"]), p["boss"].id, action.id)
    assert done.status == "applied"
    [body] = receiver.bodies
    assert receiver.keys == [f"trace-{trace.id}-batch-1"]
    assert body["trace_id"] == trace.id and body["batches"] == 1
    pushed = {c["id_number"]: c["color"] for c in body["changes"]}
    assert pushed == {p["K"]: "red", p["S"]: "red", p["G"]: "yellow"}
    # The webhook backend leaves our own tables alone: the platform owns the codes.
    assert marks(db) == 0


def test_large_pushes_go_in_batches(receiver: Any) -> None:
    from venuecode.tracing.healthcode import CodeChange

    url = f"http://127.0.0.1:{receiver.server_address[1]}/"
    changes = [CodeChange(factories.id_number(n), "red", "close", "r", "i") for n in range(1_201)]
    outcome = WebhookHealthCodeAdapter(url).push(None, 7, changes, datetime.now(UTC))  # type: ignore[arg-type]
    assert outcome.batches == 3 and [len(b["changes"]) for b in receiver.bodies] == [500, 500, 201]
