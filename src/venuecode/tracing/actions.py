"""Pushing a trace's health-code changes: a tracer requests, another supervisor approves.

Four eyes: the approver needs `trace.approve_action` and must be neither the requester
nor the person who ran the trace, so no single account can turn people's codes red.
The tracer chooses what the push covers (`push_scope`: tiers, persons excluded, persons
added); the request stores that scope and its counts per tier and colour, and the
approver confirms exactly those. A push to more than `push_review_persons` persons needs
a second supervisor, different from the first (the first approval marks it `reviewed`).
Chain tiers get a red code, general contacts a yellow one; each also gets a
`contact_marks` row (local backend) that the entry policy denies with the instruction
stored there.

A supervisor may instead reject a request (same four eyes, a reason required); the
requester may withdraw it before it is applied. Later a supervisor lifts the marks of
persons released from control (解除管控, `lift_marks`): no second person is needed to
lift, since lifting only gives back what a push took away, but the reason is.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from venuecode.tracing.push_scope import (
    SAMPLE,
    PushScope,
    Selected,
    counts_of,
    select_persons,
    tier_label,
)
from venuecode.tracing.retention import is_pseudonymised
from venuecode.tracing.types import CLOSE, GENERAL, SECONDARY, TERTIARY

INSTRUCTIONS = {
    "red": "您被流调判定为{tier}，请立即停止外出，原地等待社区联系，配合集中隔离和核酸检测。",
    "yellow": "您与病例有时空交集（一般接触），请三天内完成两次核酸检测，期间避免前往人员密集场所。",
}
OPEN = "requested"
REVIEWED = "reviewed"  # the first of two approvals of a large push
APPLIED = "applied"
FAILED = "failed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
PENDING = (OPEN, REVIEWED, FAILED)  # still waiting for a decision
REASON_MIN, REASON_MAX = 2, 500


def mark_kind(tier: str) -> str:
    """The policy knows close, secondary, tertiary and general; deeper tiers mark as tertiary."""
    return tier if tier in (CLOSE, SECONDARY, TERTIARY, GENERAL) else TERTIARY


def plan_changes(trace_id: int, selected: Sequence[Selected]) -> list[CodeChange]:
    """One change per selected person: red for chain tiers, yellow for general contacts."""
    changes = []
    for person in selected:
        label = tier_label(person.tier)
        changes.append(CodeChange(
            id_number=person.id_number, color=person.color, kind=mark_kind(person.tier),
            reason=f"流调：{label}（流调 #{trace_id}）",
            instruction=INSTRUCTIONS[person.color].format(tier=label)))
    return changes


def selected_of(action: TraceAction, trace: Trace) -> list[Selected]:
    return select_persons(trace.result(), PushScope.from_json(action.scope_json()))


def sample_of(action: TraceAction, trace: Trace, size: int = SAMPLE) -> list[Selected]:
    """A sample for the approver: the first persons of each tier, up to `size` in all."""
    by_tier: dict[str, list[Selected]] = {}
    for person in selected_of(action, trace):
        by_tier.setdefault(person.tier, []).append(person)
    sample: list[Selected] = []
    while len(sample) < size and any(by_tier.values()):
        for persons in by_tier.values():
            if persons and len(sample) < size:
                sample.append(persons.pop(0))
    return sample


def actions_of(session: Session, trace_id: int) -> list[TraceAction]:
    return list(session.scalars(select(TraceAction).where(TraceAction.trace_id == trace_id)
                                .order_by(TraceAction.id)))


def request_push(session: Session, actor: Actor, user_id: int | None, trace: Trace,
                 scope: PushScope, note: str = "") -> TraceAction:
    """Ask for approval of a push of `scope`; an open request for the trace is returned
    instead of a second one (withdraw it to ask for another scope)."""
    _check_not_pseudonymised(trace)
    for action in actions_of(session, trace.id):
        if action.status in PENDING:
            return action
    selected = select_persons(trace.result(), scope)
    if not selected:
        raise InvalidInput("push_scope_empty",
                           "所选范围内没有人员：请至少勾选一个类别，或追加人员。",
                           "Nobody is in the chosen scope: tick a tier or add persons.")
    counts = counts_of(selected)
    action = TraceAction(trace_id=trace.id, requested_by=user_id, requested_at=clock.now(),
                         status=OPEN, note=note.strip()[:500], outcome="{}",
                         scope=orjson.dumps(scope.to_json()).decode(),
                         counts=orjson.dumps(counts).decode(), persons=len(selected))
    session.add(action)
    session.flush()
    record(session, actor, AuditAction.TRACE_ACTION_REQUESTED, "trace", trace.id,
           reason=action.note, action_id=action.id, contacts=trace.contacts,
           scope=scope.to_json(), counts=counts, persons=len(selected))
    return action


def needs_second_approval(settings: Settings, action: TraceAction) -> bool:
    return action.persons > settings.push_review_persons


def withdraw_push(session: Session, actor: Actor, user_id: int | None,
                  action_id: int) -> TraceAction:
    """The requester (or a supervisor) takes back a request before it is applied."""
    action, trace = _locked(session, action_id)
    if action.status == WITHDRAWN:
        return action
    if action.status not in (OPEN, REVIEWED):
        raise Conflict("trace_action_closed", "该推送申请已处理，不能撤回。",
                       "This push request was already decided and cannot be withdrawn.")
    if user_id != action.requested_by and not has_permission(
            actor.role, Permission.TRACE_APPROVE_ACTION):
        raise PermissionDenied("trace_withdraw_requester", "只有申请人或流调组长可以撤回推送申请。",
                               "Only the requester or a tracing supervisor can withdraw a "
                               "push request.")
    status_before = action.status
    action.status = WITHDRAWN
    action.decided_by, action.decided_at = user_id, clock.now()
    session.flush()
    record(session, actor, AuditAction.TRACE_ACTION_WITHDRAWN, "trace", trace.id,
           reason=action.note, action_id=action.id, previous_status=status_before,
           scope=action.scope_json(), persons=action.persons)
    return action


def approve_push(session: Session, settings: Settings, actor: Actor, user_id: int | None,
                 action_id: int, adapter: HealthCodeAdapter | None = None,
                 persons: int | None = None) -> TraceAction:
    """Approve and apply. An applied action is returned as it is (approving twice is a no-op);
    a failed one is retried. The adapter itself never duplicates codes or marks.

    `persons`, when given, is the count the approver saw and confirmed: a request whose
    count differs is refused rather than applied. A push larger than
    `push_review_persons` is applied only at the second supervisor's approval.
    """
    action, trace = _locked(session, action_id)
    _check_four_eyes(actor, user_id, action, trace)
    if action.status == APPLIED:
        return action
    _check_not_pseudonymised(trace)
    if action.status in (REJECTED, WITHDRAWN):
        raise Conflict("trace_action_rejected",
                       "该推送申请已被驳回或撤回，不能再批准；如仍需推送，请重新申请。",
                       "This push request was rejected or withdrawn and cannot be approved; "
                       "request a new push if it is still needed.")
    if not action.scope_json():
        raise Conflict("trace_action_unscoped",
                       "该申请没有选择推送范围（旧版申请），请撤回后按类别重新申请。",
                       "This request has no scope (made before scopes existed): withdraw it "
                       "and request again with the tiers to push.")
    if persons is not None and persons != action.persons:
        raise Conflict("trace_action_count_changed",
                       f"确认的人数（{persons}）与申请的人数（{action.persons}）不符，请刷新后重新确认。",
                       f"The confirmed count ({persons}) differs from the request's "
                       f"({action.persons}); reload and confirm again.")
    now = clock.now()
    if needs_second_approval(settings, action) and action.reviewed_by is None:
        action.status, action.reviewed_by, action.reviewed_at = REVIEWED, user_id, now
        session.flush()
        record(session, actor, AuditAction.TRACE_ACTION_REVIEWED, "trace", trace.id,
               action.note, action_id=action.id, scope=action.scope_json(),
               counts=action.counts_json(), persons=action.persons)
        return action
    if action.reviewed_by is not None and user_id == action.reviewed_by:
        raise PermissionDenied(
            "second_supervisor",
            f"超过 {settings.push_review_persons} 人的推送需要另一位流调组长再次批准，"
            "您已批准过一次。",
            f"A push to more than {settings.push_review_persons} persons needs a second, "
            "different supervisor; you approved it already.")
    changes = plan_changes(trace.id, selected_of(action, trace))
    outcome: dict[str, Any]
    pushed_to: tuple[str, ...] = ()
    try:
        pushed = (adapter or adapter_for(settings)).push(session, trace.id, changes, now)
    except DomainError as failure:
        # Kept as a failed action (and audited) so a supervisor sees it and retries.
        action.status = FAILED
        outcome = {"error": failure.code, "message": failure.message_zh,
                   "backend": settings.healthcode_backend}
    else:
        action.status = APPLIED
        pushed_to = pushed.persons
        outcome = {"red": pushed.red, "yellow": pushed.yellow, "changed": pushed.changed,
                   "batches": pushed.batches, "backend": settings.healthcode_backend}
    action.decided_by, action.decided_at = user_id, now
    action.outcome = orjson.dumps(outcome).decode()
    session.flush()
    # The persons whose code this push changed see it in their access logs.
    record_about(session, actor, AuditAction.TRACE_ACTION_APPROVED, "trace", trace.id,
                 pushed_to, action.note, action_id=action.id, status=action.status,
                 scope=action.scope_json(), reviewed_by=action.reviewed_by, **outcome)
    return action


def reject_push(session: Session, actor: Actor, user_id: int | None, action_id: int,
                reason: str) -> TraceAction:
    """Close an open or failed request without pushing; the reason is kept in the outcome
    and shown on the trace page. Rejecting a rejected request returns it as it is."""
    action, trace = _locked(session, action_id)
    _check_four_eyes(actor, user_id, action, trace, approve=False)
    if action.status == REJECTED:
        return action
    if action.status == WITHDRAWN:
        raise Conflict("trace_action_closed", "该推送申请已撤回。",
                       "This push request was withdrawn.")
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
    """Four eyes: neither the requester nor the tracer who ran the trace decides, nor, for
    the second approval of a large push, the supervisor who gave the first."""
    return user_id is None or user_id not in (action.requested_by, trace_created_by,
                                              action.reviewed_by)


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
    return session.scalars(select(TraceAction).where(TraceAction.status.in_(PENDING))
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
    """Lift this trace's marks of one person (or of all its persons), audited in bulk.

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
    # Set-based: one event per outcome (code restored or not, still marked by another
    # trace or not), each listing its persons in bulk (`record_about`), so each sees it in
    # their access log. A whole trace is at most four events, not one ORM event a person.
    groups: dict[tuple[bool, bool], list[str]] = {}
    for person in outcome.lifted:
        groups.setdefault((person in restored, person in still), []).append(person)
    for (code_restored, still_marked), persons_lifted in sorted(groups.items()):
        record_about(session, actor, AuditAction.TRACE_MARK_LIFTED, "trace", trace.id,
                     persons_lifted, reason=reason, trace_id=trace.id,
                     backend=settings.healthcode_backend, code_restored=code_restored,
                     still_marked=still_marked)
    return outcome


def open_marks(session: Session, trace_id: int, id_numbers: Sequence[str]) -> dict[str, bool]:
    """For the rows shown: True when the person's mark of this trace is open, False when it
    was lifted; persons without a mark of this trace are absent."""
    rows = session.execute(select(ContactMark.id_number, ContactMark.cleared_at).where(
        ContactMark.trace_id == trace_id, ContactMark.id_number.in_(list(id_numbers)))).all()
    return {number: cleared is None for number, cleared in rows}
