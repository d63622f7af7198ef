"""Bindings that the rule of `binding.py` would not allow today (`venuecode users audit-bindings`).

Accounts bound before the rule, or by the development fallback, are reported for a
service desk to confirm or release; nothing is changed or dropped here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.people.binding import registry_phone
from venuecode.people.models import Person, User


@dataclass(frozen=True)
class BindingProblem:
    user_id: int
    phone: str
    id_number: str
    problem: str  # not_in_registry | name_differs | no_registry_phone | phone_differs


def _problem(user: User, person: Person | None) -> str | None:
    if person is None:
        return "not_in_registry"
    if person.name != user.real_name:
        return "name_differs"
    phone = registry_phone(person)
    if phone is None:
        return "no_registry_phone"
    return None if phone == user.phone else "phone_differs"


def _desk_verified(session: Session, user: User) -> bool:
    """A service desk bound this very identity to this account (then the phone need not match)."""
    events = session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == AuditAction.IDENTITY_DESK_BOUND.value,
        AuditEvent.subject_type == "person", AuditEvent.subject_id == user.id_number))
    return any(orjson.loads(details).get("user") == user.id for details in events)


def failing_bindings(session: Session) -> Iterator[BindingProblem]:
    rows = session.execute(
        select(User, Person).outerjoin(Person, Person.id_number == User.id_number)
        .where(User.id_number.isnot(None)).order_by(User.id))
    for user, person in rows:
        problem = _problem(user, person)
        if problem is None or (person is not None and problem != "name_differs"
                               and _desk_verified(session, user)):
            continue
        assert user.id_number is not None
        yield BindingProblem(user.id, user.phone, user.id_number, problem)
