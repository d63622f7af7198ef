"""`record(...)`: the one call that writes an audit event (`record_about` for many persons).

It joins the caller's transaction, so an action and its audit event are stored together
or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.audit.subjects import add_subjects, distinct


@dataclass(frozen=True)
class Actor:
    """Who does something: a user, an API key, the system or an operator at the CLI."""

    label: str  # "user:12", "apikey:3", "system", "cli"
    role: str
    ip: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "system")

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", "operator")


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    subject_type: str,
    subject_id: str | int,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        actor=actor.label,
        actor_role=actor.role,
        action=action.value,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        details=orjson.dumps(details, default=str).decode(),
        ip=actor.ip,
    )
    session.add(event)
    return event


def record_about(
    session: Session,
    actor: Actor,
    action: AuditAction,
    subject_type: str,
    subject_id: str | int,
    persons: Iterable[str],
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """`record` for a read that covers many persons (a trace, an export, a push): one
    event, and each person in `audit_subjects` so it shows in their access log."""
    numbers = distinct(persons)
    event = record(session, actor, action, subject_type, subject_id, reason,
                   persons=len(numbers), **details)
    session.flush()
    add_subjects(session, event.id, numbers)
    return event
