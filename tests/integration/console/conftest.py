"""The operator console's tests: signed-in headers as a browser page would send them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.config import Settings
from venuecode.people.auth import issue_token
from venuecode.people.models import User

HTML = {"accept": "text/html"}


def headers_for(settings: Settings, user: User) -> dict[str, str]:
    """A signed-in browser (second factor done, for staff); Chinese unless `?lang=en`."""
    token = issue_token(settings.secret("secret_key"), user,
                        second_factor=user.password_hash is not None)
    return {"Authorization": f"Bearer {token}", **HTML}


def staff(db: Session, settings: Settings, role: Role = Role.SYSTEM_ADMIN,
          district: str | None = None) -> tuple[User, dict[str, str]]:
    user = factories.user(db, role, district)
    db.commit()
    return user, headers_for(settings, user)


def actions_about(db: Session, subject_type: str, subject_id: object) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.id)))
