"""Pushing a trace's health-code changes: a tracer requests, another supervisor approves.

Four eyes: the approver needs `trace.approve_action` and must be neither the requester
nor the person who ran the trace, so no single account can turn people's codes red.
Close contacts and every deeper chain tier get a red code, general contacts a yellow
one; each also gets a `contact_marks` row (local backend) that the entry policy denies
with the instruction stored there.
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
from venuecode.audit.service import Actor, record
from venuecode.config import Settings
from venuecode.errors import DomainError, NotFound, PermissionDenied
from venuecode.tracing.healthcode import CodeChange, HealthCodeAdapter, adapter_for
from venuecode.tracing.models import Trace, TraceAction
from venuecode.tracing.types import CLOSE, GENERAL, SECONDARY, TERTIARY

TIER_ZH = {CLOSE: "密接", SECONDARY: "次密接", TERTIARY: "三级密接", GENERAL: "一般接触"}
INSTRUCTIONS = {
    "red": "您被流调判定为{tier}，请立即停止外出，原地等待社区联系，配合集中隔离和核酸检测。",
    "yellow": "您与病例有时空交集（一般接触），请三天内完成两次核酸检测，期间避免前往人员密集场所。",
}
OPEN = "requested"
APPLIED = "applied"
FAILED = "failed"


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
    """Ask for approval; an open request for the trace is returned instead of a second one."""
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
    action = session.scalars(select(TraceAction).where(TraceAction.id == action_id)
                             .with_for_update()).first()
    if action is None:
        raise NotFound("trace_action_not_found", "找不到该推送申请。", f"No action {action_id}.")
    trace = session.get(Trace, action.trace_id)
    if trace is None:
        raise NotFound("trace_not_found", "找不到该流调记录。", f"No trace {action.trace_id}.")
    _check_four_eyes(actor, user_id, action, trace)
    if action.status == APPLIED:
        return action
    now = clock.now()
    changes = plan_changes(trace.id, trace.result())
    outcome: dict[str, Any]
    try:
        pushed = (adapter or adapter_for(settings)).push(session, trace.id, changes, now)
    except DomainError as failure:
        # Kept as a failed action (and audited) so a supervisor sees it and retries.
        action.status = FAILED
        outcome = {"error": failure.code, "message": failure.message_zh,
                   "backend": settings.healthcode_backend}
    else:
        action.status = APPLIED
        outcome = {"red": pushed.red, "yellow": pushed.yellow, "changed": pushed.changed,
                   "batches": pushed.batches, "backend": settings.healthcode_backend}
    action.decided_by, action.decided_at = user_id, now
    action.outcome = orjson.dumps(outcome).decode()
    session.flush()
    record(session, actor, AuditAction.TRACE_ACTION_APPROVED, "trace", trace.id,
           reason=action.note, action_id=action.id, status=action.status, **outcome)
    return action


def _check_four_eyes(actor: Actor, user_id: int | None, action: TraceAction, trace: Trace) -> None:
    if not has_permission(actor.role, Permission.TRACE_APPROVE_ACTION):
        raise PermissionDenied("trace_approve_role", "只有流调组长可以批准健康码推送。",
                               "Only a tracing supervisor can approve a health-code push.")
    if user_id is not None and user_id in (action.requested_by, trace.created_by):
        raise PermissionDenied(
            "four_eyes", "双人复核：申请人或执行该流调的人员不能批准自己的推送，请由另一位流调组长批准。",
            "Four eyes: the person who requested the push or ran the trace cannot approve it; "
            "another tracing supervisor must.")


def outcome_of(action: TraceAction) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(action.outcome or "{}")
    return value


def open_actions(session: Session, limit: int = 50) -> Sequence[TraceAction]:
    return session.scalars(select(TraceAction).where(TraceAction.status.in_([OPEN, FAILED]))
                           .order_by(TraceAction.id.desc()).limit(limit)).all()
