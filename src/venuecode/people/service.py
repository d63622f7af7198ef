"""People use cases: staff accounts, real-name binding (实名认证)."""

from __future__ import annotations

import re

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import SECOND_FACTOR_ROLES, Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, InvalidInput
from venuecode.people.auth import hash_password, normalize_phone
from venuecode.people.idnumber import IdNumberError, parse_id_number
from venuecode.people.models import Person, User

_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·• .'-]{1,30}$")


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
                password_hash=hash_password(password, (phone, display_name))
                if password else None,
                district=district, created_at=clock.now())
    session.add(user)
    session.flush()
    record(session, actor, AuditAction.USER_CREATED, "user", user.id, role=role.value)
    return user


def bind_identity(session: Session, actor: Actor, user: User, id_number: str, name: str) -> User:
    """Bind a real name and ID number to the account; once bound it cannot be changed here."""
    try:
        parsed = parse_id_number(id_number, today=clock.now().date())
    except IdNumberError as exc:
        raise InvalidInput(exc.code, exc.message_zh, exc.message_en) from None
    clean_name = name.strip()
    if not _NAME.match(clean_name):
        raise InvalidInput("name_invalid", "请输入与身份证一致的姓名。",
                           "Enter your name as it is written on your ID card.")
    if user.id_number is not None:
        if user.id_number == parsed.value and user.real_name == clean_name:
            return user
        raise Conflict("identity_already_bound", "该账号已完成实名认证，如需更改请联系客服。",
                       "This account is already bound to an identity; contact support to change.")
    if session.scalar(select(User.id).where(User.id_number == parsed.value)) is not None:
        raise Conflict("identity_in_use", "该身份证号已被其他账号绑定。如非本人操作，请联系客服。",
                       "This ID number is bound to another account. If that was not you, "
                       "contact support.")
    if session.scalar(select(exists().where(Person.id_number.isnot(None)))):
        registered = session.get(Person, parsed.value)
        if registered is None or registered.name != clean_name:
            raise InvalidInput("identity_mismatch", "姓名与身份证号不匹配，请核对后重新输入。",
                               "The name does not match the ID number in the population "
                               "registry; please check both.")
    user.id_number = parsed.value
    user.real_name = clean_name
    session.flush()
    record(session, actor, AuditAction.IDENTITY_BOUND, "user", user.id)
    return user
