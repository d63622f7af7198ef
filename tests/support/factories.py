"""Test data factories: small, explicit, valid by default."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.people.idnumber import make_id_number
from venuecode.people.models import User
from venuecode.people.service import create_user
from venuecode.venues.models import Venue
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue, approve_venue

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def phone() -> str:
    return f"139{next(_seq):08d}"


def id_number(n: int | None = None, born: date = date(1985, 3, 14)) -> str:
    return make_id_number("330106", born, (n if n is not None else next(_seq)) % 1000)


def user(session: Session, role: Role = Role.CITIZEN, district: str | None = None) -> User:
    needs_password = role in (Role.TRACER, Role.TRACING_SUPERVISOR, Role.DISTRICT_ADMIN,
                              Role.SYSTEM_ADMIN)
    if role == Role.DISTRICT_ADMIN and district is None:
        district = "西湖区"
    return create_user(session, Actor.cli(), phone(), role, f"{role.value} user",
                       PASSWORD if needs_password else None, district)


def application(**overrides: object) -> VenueApplication:
    data: dict[str, object] = {
        "name": "文三路农贸市场", "category": "market", "district": "西湖区",
        "address": "文三路 188 号", "manager_name": "李四", "manager_phone": "13800000002",
    }
    data.update(overrides)
    return VenueApplication.model_validate(data)


def venue(session: Session, approved: bool = True, manager: User | None = None,
          **overrides: object) -> Venue:
    v = apply_for_venue(session, Actor.cli(), application(**overrides),
                        manager.id if manager else None)
    if approved:
        approve_venue(session, Actor.cli(), v, None)
    session.flush()
    return v
