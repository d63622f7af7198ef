"""A citizen's access log: the audit events about them, newest first.

An event is about a person when its subject is that person (`subject_type` "person"),
or when it lists them in `audit_subjects` (a trace, a view, an export, a push, a
download that covered many persons). Both are index range scans on the person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.audit.words import ACCOUNT_ACTIONS, ACTION_PARAMS, VISIBLE_ACTIONS

LIMIT = 200


@dataclass(frozen=True)
class Entry:
    at: datetime
    role: str
    action: str
    reason: str
    # The details its words name (ACTION_PARAMS: a gate device's venue and label), as text.
    params: dict[str, str] = field(default_factory=dict)
    # Lifting a tracing mark turned the code this trace had set back to green.
    code_restored: bool = False


def entries_for(session: Session, id_number: str | None, user_id: int | None = None,
                limit: int = LIMIT) -> list[Entry]:
    """The latest `limit` visible events about `id_number` (and, with `user_id`, about the
    account itself: an identity released from it stays visible after it holds none),
    newest first."""
    events: dict[int, AuditEvent] = {}
    if user_id is not None:
        events.update((e.id, e) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "user",
                                     AuditEvent.subject_id == str(user_id),
                                     AuditEvent.action.in_(ACCOUNT_ACTIONS))
            .order_by(AuditEvent.id.desc()).limit(limit)))
    if id_number is None:
        return _entries(events, limit)
    direct = (select(AuditEvent)
              .where(AuditEvent.subject_type == "person", AuditEvent.subject_id == id_number,
                     AuditEvent.action.in_(VISIBLE_ACTIONS))
              .order_by(AuditEvent.id.desc()).limit(limit))
    # The person's latest subject rows first, then their events by key: two index
    # lookups whatever the plan, never a walk over every event of a common action.
    latest = list(session.scalars(
        select(AuditSubject.event_id).where(AuditSubject.id_number == id_number)
        .order_by(AuditSubject.event_id.desc()).limit(limit)))
    listed = select(AuditEvent).where(AuditEvent.id.in_(latest),
                                      AuditEvent.action.in_(VISIBLE_ACTIONS))
    events.update((e.id, e) for e in session.scalars(direct))
    if latest:
        events.update((e.id, e) for e in session.scalars(listed))
    return _entries(events, limit)


def _entries(events: dict[int, AuditEvent], limit: int) -> list[Entry]:
    newest = sorted(events.values(), key=lambda e: (e.at, e.id), reverse=True)[:limit]
    # The role, not the staff member: citizens learn that and why their data was used;
    # naming individual tracers would expose them.
    return [Entry(e.at, e.actor_role, e.action, e.reason, _params(e), _code_restored(e))
            for e in newest]


def _params(event: AuditEvent) -> dict[str, str]:
    names = ACTION_PARAMS.get(AuditAction(event.action))
    if not names:
        return {}
    details = orjson.loads(event.details or "{}")
    return {n: str(details[n]) for n in names if details.get(n) is not None}


def _code_restored(event: AuditEvent) -> bool:
    if event.action != AuditAction.TRACE_MARK_LIFTED.value:
        return False
    try:
        return bool(json.loads(event.details or "{}").get("code_restored"))
    except (ValueError, AttributeError):
        return False
