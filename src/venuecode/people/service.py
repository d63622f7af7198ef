"""People use cases: staff accounts (real-name binding is `binding.py`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import SECOND_FACTOR_ROLES, Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, InvalidInput
from venuecode.people.auth import hash_password, normalize_phone
from venuecode.people.models import User


def create_user(
    session: Session, actor: Actor, phone: str, role: Role, display_name: str = "",
    password: str | None = None, district: str | None = None,
) -> User:
    phone = normalize_phone(phone)
    if role in SECOND_FACTOR_ROLES and not password:
        raise InvalidInput("password_required", f"{role.value} 角色需要设置密码（第二重验证）。",
                           f"Role {role.value} signs in with a password as a second factor; "
                           "give one (--password).")
    if role == Role.DISTRICT_ADMIN and not district:
        raise InvalidInput("district_required", "区县管理员需要指定所辖区县。",
                           "A district admin needs a district (--district).")
    existing = session.scalar(select(User).where(User.phone == phone))
    if existing is not None:
        raise Conflict("user_exists", "该手机号已有账号。",
                       f"An account with phone {phone} exists already.")
    user = User(phone=phone, role=role.value, display_name=display_name.strip()[:64],
                password_hash=hash_password(password) if password else None,
                district=district, created_at=clock.now())
    session.add(user)
    session.flush()
    record(session, actor, AuditAction.USER_CREATED, "user", user.id, role=role.value)
    return user
