"""Pushing a trace's health-code changes: a tracer requests, another supervisor approves.

Four eyes: the approver needs `trace.approve_action` and must be neither the requester
nor the person who ran the trace, so no single account can turn people's codes red.
Close contacts and every deeper chain tier get a red code, general contacts a yellow
one; each also gets a `contact_marks` row (local backend) that the entry policy denies
with the instruction stored there.

A supervisor may instead reject a request (same four eyes, a reason required), and later
lift the marks of persons released from control (解除管控, `lift_marks`): no second person
is needed to lift, since lifting only gives back what a push took away, but the reason is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import Permission, has_permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record, record_about
from venuecode.config import Settings
from venuecode.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from venuecode.facts.models import ContactMark
from venuecode.tracing.healthcode import CodeChange, HealthCodeAdapter, LiftOutcome, adapter_for
from venuecode.tracing.models import Trace, TraceAction
from venuecode.tracing.retention import is_pseudonymised
from venuecode.tracing.types import CLOSE, GENERAL, SECONDARY, TERTIARY

TIER_ZH = {CLOSE: "密接", SECONDARY: "次密接", TERTIARY: "三级密接", GENERAL: "一般接触"}
INSTRUCTIONS = {
    "red": "您被流调判定为{tier}，请立即停止外出，原地等待社区联系，配合集中隔离和核酸检测。",
    "yellow": "您与病例有时空交集（一般接触），请三天内完成两次核酸检测，期间避免前往人员密集场所。",
}
OPEN = "requested"
APPLIED = "applied"
FAILED = "failed"
REJECTED = "rejected"
REASON_MIN, REASON_MAX = 2, 500


def mark_kind(tier: str) -> str:
    """The policy knows close, secondary, tertiary and general; deeper tiers mark as tertiary."""
    return tier if tier in (CLOSE, SECONDARY, TERTIARY, GENERAL) else TERTIARY


def plan_changes(trace_id: int, result: Mapping[str, Any]) -> list[CodeChange]:
    """One change per reported person: red for chain tiers, yellow for general contacts."""
    changes = []
    for contact in result.get("contacts", []):
        tier = contact["tier"]
        kind = mark_kind(tier)
        color = "yellow" if tier == GENERAL else "red"
        label = TIER_ZH.get(tier, tier)
        changes.append(CodeChange(
            id_number=contact["id_number"], color=color, kind=kind,
            reason=f"流调：{label}（流调 #{trace_id}）",
            instruction=INSTRUCTIONS[color].format(tier=label)))
    return changes


def actions_of(session: Session, trace_id: int) -> list[TraceAction]:
    return list(session.scalars(select(TraceAction).where(TraceAction.trace_id == trace_id)
                                .order_by(TraceAction.id)))


def request_push(session: Session, actor: Actor, user_id: int | None, trace: Trace,
                 note: str = "") -> TraceAction:
    """Ask for approval; an open request for the trace is returned instead of a second one
    (a rejected request is closed: asking again makes a new one)."""
    _check_not_pseudonymised(trace)
    for action in actions_of(session, trace.id):
        if action.status == OPEN:
            return action
    action = TraceAction(trace_id=trace.id, requested_by=user_id, requested_at=clock.now(),
                         status=OPEN, note=note.strip()[:500], outcome="{}")
    session.add(action)
    session.flush()
    record(session, actor, AuditAction.TRACE_ACTION_REQUESTED, "trace", trace.id,
           reason=action.note, action_id=action.id, contacts=trace.contacts)
    return action


def approve_push(session: Session, settings: Settings, actor: Actor, user_id: int | None,
                 action_id: int, adapter: HealthCodeAdapter | None = None) -> TraceAction:
    """Approve and apply. An applied action is returned as it is (approving twice is a no-op);
    a failed one is retried. The adapter itself never duplicates codes or marks."""
    action, trace = _locked(session, action_id)
    _check_four_eyes(actor, user_id, action, trace)
    if action.status == APPLIED:
        return action
    _check_not_pseudonymised(trace)
    if action.status == REJECTED:
        raise Conflict("trace_action_rejected",
                       "该推送申请已被驳回，不能再批准；如仍需推送，请重新申请。",
                       "This push request was rejected and cannot be approved; "
                       "request a new push if it is still needed.")
    now = clock.now()
    changes = plan_changes(trace.id, trace.result())
    outcome: dict[str, Any]
    persons: tuple[str, ...] = ()
    try:
        pushed = (adapter or adapter_for(settings)).push(session, trace.id, changes, now)
    except DomainError as failure:
        # Kept as a failed action (and audited) so a supervisor sees it and retries.
        action.status = FAILED
        outcome = {"error": failure.code, "message": failure.message_zh,
                   "backend": settings.healthcode_backend}
    else:
        action.status = APPLIED
        persons = pushed.persons
        outcome = {"red": pushed.red, "yellow": pushed.yellow, "changed": pushed.changed,
                   "batches": pushed.batches, "backend": settings.healthcode_backend}
    action.decided_by, action.decided_at = user_id, now
    action.outcome = orjson.dumps(outcome).decode()
    session.flush()
    # The persons whose code this push changed see it in their access logs.
    record_about(session, actor, AuditAction.TRACE_ACTION_APPROVED, "trace", trace.id, persons,
                 action.note, action_id=action.id, status=action.status, **outcome)
    return action


def reject_push(session: Session, actor: Actor, user_id: int | None, action_id: int,
                reason: str) -> TraceAction:
    """Close an open or failed request without pushing; the reason is kept in the outcome
    and shown on the trace page. Rejecting a rejected request returns it as it is."""
    action, trace = _locked(session, action_id)
    _check_four_eyes(actor, user_id, action, trace, approve=False)
    if action.status == REJECTED:
        return action
    if action.status == APPLIED:
        raise Conflict("trace_action_applied",
                       "该推送已执行，不能再驳回；如人员已解除隔离，请对其解除管控。",
                       "This push was already applied and cannot be rejected; lift the marks "
                       "of persons released from control instead.")
    reason = checked_reason(reason)
    previous = outcome_of(action)
    outcome: dict[str, Any] = {"reason": reason}
    if previous:
        outcome["previous"] = previous  # a failed push's error stays readable
    status_before = action.status
    action.status = REJECTED
    action.decided_by, action.decided_at = user_id, clock.now()
    action.outcome = orjson.dumps(outcome).decode()
    session.flush()
    record(session, actor, AuditAction.TRACE_ACTION_REJECTED, "trace", trace.id,
           reason=reason, action_id=action.id, note=action.note, previous_status=status_before)
    return action


def _check_not_pseudonymised(trace: Trace) -> None:
    """A trace past retention names nobody (`tracing.retention`): nothing left to push."""
    if is_pseudonymised(trace):
        raise Conflict("trace_pseudonymised",
                       "该流调结果已超过保留期限，人员和时空证据已删除，不能再推送；如仍需处置，请重新流调。",
                       "This trace is past its retention period: its persons and evidence were "
                       "removed, so nothing can be pushed; run a new trace if still needed.")


def checked_reason(text: str) -> str:
    """A decision's reason: trimmed, 2 to 500 characters (it goes into the audit log)."""
    reason = text.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput("reason_required",
                           f"请填写原因（{REASON_MIN}–{REASON_MAX} 个字），它将记入审计日志。",
                           f"Give a reason of {REASON_MIN} to {REASON_MAX} characters; it goes "
                           "into the audit log.", min=REASON_MIN, max=REASON_MAX)
    return reason


def _locked(session: Session, action_id: int) -> tuple[TraceAction, Trace]:
    # Locked so an approval and a rejection of the same request cannot both go through.
    action = session.scalars(select(TraceAction).where(TraceAction.id == action_id)
                             .with_for_update()).first()
    if action is None:
        raise NotFound("trace_action_not_found", "找不到该推送申请。", f"No action {action_id}.")
    trace = session.get(Trace, action.trace_id)
    if trace is None:
        raise NotFound("trace_not_found", "找不到该流调记录。", f"No trace {action.trace_id}.")
    return action, trace


def may_decide(user_id: int | None, action: TraceAction, trace_created_by: int | None) -> bool:
    """Four eyes: neither the requester nor the tracer who ran the trace decides."""
    return user_id is None or user_id not in (action.requested_by, trace_created_by)


def _check_four_eyes(actor: Actor, user_id: int | None, action: TraceAction, trace: Trace,
                     approve: bool = True) -> None:
    if not has_permission(actor.role, Permission.TRACE_APPROVE_ACTION):
        if approve:
            raise PermissionDenied("trace_approve_role", "只有流调组长可以批准健康码推送。",
                                   "Only a tracing supervisor can approve a health-code push.")
        raise PermissionDenied("trace_approve_role", "只有流调组长可以驳回健康码推送。",
                               "Only a tracing supervisor can reject a health-code push.")
    if not may_decide(user_id, action, trace.created_by):
        if approve:
            raise PermissionDenied(
                "four_eyes", "双人复核：申请人或执行该流调的人员不能批准自己的推送，请由另一位流调组长批准。",
                "Four eyes: the person who requested the push or ran the trace cannot approve it; "
                "another tracing supervisor must.")
        raise PermissionDenied(
            "four_eyes", "双人复核：申请人或执行该流调的人员不能驳回自己的推送，请由另一位流调组长处理。",
            "Four eyes: the person who requested the push or ran the trace cannot reject it; "
            "another tracing supervisor must.")


def outcome_of(action: TraceAction) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(action.outcome or "{}")
    return value


def open_actions(session: Session, limit: int = 50) -> Sequence[TraceAction]:
    return session.scalars(select(TraceAction).where(TraceAction.status.in_([OPEN, FAILED]))
                           .order_by(TraceAction.id.desc()).limit(limit)).all()


def deciders(session: Session, user_id: int | None,
             actions: Sequence[TraceAction]) -> set[int]:
    """The ids of the actions `user_id` may approve or reject (four eyes), for the lists."""
    if not actions:
        return set()
    ran_by = {trace_id: by for trace_id, by in session.execute(
        select(Trace.id, Trace.created_by).where(Trace.id.in_({a.trace_id for a in actions})))}
    return {a.id for a in actions if may_decide(user_id, a, ran_by.get(a.trace_id))}


# --- lifting marks (解除管控) ------------------------------------------------------------


def was_pushed(session: Session, trace_id: int) -> bool:
    return any(a.status == APPLIED for a in actions_of(session, trace_id))


def lift_marks(session: Session, settings: Settings, actor: Actor, trace: Trace, reason: str,
               id_number: str | None = None,
               adapter: HealthCodeAdapter | None = None) -> LiftOutcome:
    """Lift this trace's marks of one person (or of all its persons), audited per person.

    Only persons of the trace's result, and only once a push of it was applied: before that
    there is nothing to lift. Nobody with an open mark is a no-op (`lifted` empty), not an
    error. The local adapter turns a code back to green only where tracing's is current.
    """
    if not has_permission(actor.role, Permission.TRACE_LIFT_MARK):
        raise PermissionDenied("trace_lift_role", "只有流调组长可以解除管控。",
                               "Only a tracing supervisor can lift tracing marks.")
    reason = checked_reason(reason)
    persons = [c["id_number"] for c in trace.result().get("contacts", [])]
    if id_number is not None:
        persons = [n for n in persons if n == id_number][:1]
    if not persons or not was_pushed(session, trace.id):
        return LiftOutcome((), None if settings.healthcode_backend == "webhook" else ())
    outcome = (adapter or adapter_for(settings)).lift(session, trace.id, persons, reason,
                                                      actor.label, clock.now())
    restored = set(outcome.restored or ())
    still = set(outcome.still_marked)
    for person in outcome.lifted:
        record(session, actor, AuditAction.TRACE_MARK_LIFTED, "person", person, reason=reason,
               trace_id=trace.id, backend=settings.healthcode_backend,
               code_restored=person in restored, still_marked=person in still)
    return outcome


def open_marks(session: Session, trace_id: int, id_numbers: Sequence[str]) -> dict[str, bool]:
    """For the rows shown: True when the person's mark of this trace is open, False when it
    was lifted; persons without a mark of this trace are absent."""
    rows = session.execute(select(ContactMark.id_number, ContactMark.cleared_at).where(
        ContactMark.trace_id == trace_id, ContactMark.id_number.in_(list(id_numbers)))).all()
    return {number: cleared is None for number, cleared in rows}
