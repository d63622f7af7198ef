"""Who may see or change which venue (object-level checks beside the role permissions)."""

from __future__ import annotations

from sqlalchemy import Select, select

from venuecode.access.roles import Permission, Role, has_permission
from venuecode.errors import PermissionDenied
from venuecode.people.models import User
from venuecode.venues.models import Venue


def can_manage(user: User, venue: Venue) -> bool:
    """The venue's own manager, an admin of its district, or a system admin."""
    if user.role == Role.SYSTEM_ADMIN:
        return True
    if user.role == Role.DISTRICT_ADMIN and user.district == venue.district:
        return True
    return venue.manager_user_id == user.id and has_permission(user.role, Permission.VENUE_APPLY)


def ensure_can_manage(user: User, venue: Venue) -> None:
    if not can_manage(user, venue):
        raise PermissionDenied("venue_not_yours", "您无权管理该场所。",
                               "You do not manage this venue.", venue_id=venue.venue_id)


def visible_venues(user: User) -> Select[Venue]:
    query = select(Venue).order_by(Venue.created_at.desc(), Venue.id.desc())
    if user.role == Role.SYSTEM_ADMIN:
        return query
    if user.role == Role.DISTRICT_ADMIN:
        return query.where(Venue.district == (user.district or ""))
    return query.where(Venue.manager_user_id == user.id)
