"""Staff looks at a paper code, and who may run a venue's gate device."""

from __future__ import annotations

from sqlalchemy.orm import Session

from venuecode.access.roles import Permission, has_permission
from venuecode.assist.paper_codes import PaperKey, resolve_paper_code
from venuecode.assist.schemas import PaperCodeStatus
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import InvalidInput, PermissionDenied
from venuecode.facts.models import HealthCodeRecord
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.people.models import Person, User
from venuecode.venues.access import ensure_can_manage
from venuecode.venues.models import Venue, VenueStatus
from venuecode.venues.service import get_venue

_STAFF = (Permission.VENUE_VIEW_ENTRIES, Permission.DISTRICT_VIEW, Permission.TRACE_RUN)


def require_staff(user: User) -> None:
    if not any(has_permission(user.role, p) for p in _STAFF):
        raise PermissionDenied("staff_only", "仅场所或防疫工作人员可查看健康码（代办卡）。",
                               "Only venue or epidemic-control staff can look up paper codes.")


def paper_code_status(session: Session, key: PaperKey, actor: Actor, token: str
                      ) -> PaperCodeStatus:
    """The card's holder (masked) and their colour as `health_codes` says NOW."""
    code = resolve_paper_code(session, key, token)
    person = session.get(Person, code.id_number)
    health = session.get(HealthCodeRecord, code.id_number)
    record(session, actor, AuditAction.PERSON_VIEWED, "person", code.id_number,
           via="paper_code", issue=code.issue)
    return PaperCodeStatus(
        name=mask_name(person.name) if person else None,
        id_number=mask_id_number(code.id_number), issue=code.issue,
        health_color=health.color if health else None,
        color_since=health.since.isoformat() if health else None)


def sentinel_venue(session: Session, user: User, venue_id: str) -> Venue:
    """The venue a gate device works for: approved, and managed by the signed-in account."""
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    if venue.status != VenueStatus.APPROVED:
        raise InvalidInput("venue_not_approved", "该场所码尚未通过审核或已被撤销。",
                           "This venue is not approved (or was revoked).")
    return venue
