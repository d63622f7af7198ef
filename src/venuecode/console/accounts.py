"""Accounts in the operator console: who may manage which accounts, listing, creating,
deactivating, signing out and resetting passwords.

A manager's reach (`reach_of`) is decided here, once, and every use case checks it:
- a system admin (`users.manage`) reaches every account, any role, any district;
- a district admin reaches the venue managers of their district: accounts whose district
  is theirs, or who manage a venue there. They create venue managers for their district
  only, never staff of another kind (no one grants a role above their own), and venue
  managers have no password to reset.
An account out of reach answers as if it did not exist (`account_not_found`), so a
district admin cannot probe other districts' accounts by id.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from venuecode.access.roles import SECOND_FACTOR_ROLES, Permission, Role, has_permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from venuecode.people.auth import (
    check_password_policy,
    hash_password,
    normalize_phone,
    revoke_all,
    set_active,
)
from venuecode.people.models import User
from venuecode.people.service import create_user
from venuecode.venues.models import Venue

PER_PAGE = 50
# Roles an account can be created with here: data sources use API keys, citizens sign
# themselves up by SMS.
CREATABLE = (Role.VENUE_MANAGER, Role.DISTRICT_ADMIN, Role.TRACER, Role.TRACING_SUPERVISOR,
             Role.SYSTEM_ADMIN)
# Staff are listed; citizens never (their phone numbers are personal data, and the CLI
# does not list them either), though a system admin may act on one's account by its id.
LISTABLE = CREATABLE


class FieldProblem(InvalidInput):
    """Bad input in one form field (`field` names it; the page shows its label)."""

    def __init__(self, field: str, code: str, zh: str, en: str) -> None:
        super().__init__(code, zh, en, field=field)

    @property
    def field(self) -> str:
        return str(self.details["field"])


@dataclass(frozen=True)
class Reach:
    roles: frozenset[Role]  # roles the manager may list, create and act on
    district: str | None    # None: every district
    resets_passwords: bool

    @property
    def everywhere(self) -> bool:
        return self.district is None


def reach_of(manager: User) -> Reach:
    if has_permission(manager.role, Permission.USERS_MANAGE):
        return Reach(frozenset({Role.CITIZEN, *CREATABLE}), None, resets_passwords=True)
    if has_permission(manager.role, Permission.ACCOUNTS_MANAGE) and manager.district:
        return Reach(frozenset({Role.VENUE_MANAGER}), manager.district, resets_passwords=False)
    raise PermissionDenied(details={"needs": Permission.ACCOUNTS_MANAGE.value})


def _in_district(district: str) -> ColumnElement[bool]:
    manages_there = exists().where(Venue.manager_user_id == User.id, Venue.district == district)
    return or_(User.district == district, manages_there)


def _reach_clause(reach: Reach) -> ColumnElement[bool]:
    clause = User.role.in_([r.value for r in reach.roles])
    return clause if reach.district is None else clause & _in_district(reach.district)


@dataclass(frozen=True)
class Page:
    accounts: Sequence[User]
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_accounts(session: Session, reach: Reach, role: Role | None = None,
                  district: str | None = None, page: int = 1) -> Page:
    """Staff accounts in reach, newest first."""
    where = _reach_clause(reach) & User.role.in_([r.value for r in LISTABLE])
    if role is not None:
        where = where & (User.role == role.value)
    if district:
        where = where & _in_district(district)
    total = session.scalar(select(func.count()).select_from(User).where(where)) or 0
    rows = session.scalars(select(User).where(where).order_by(User.id.desc())
                           .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return Page(rows, page, int(total))


def account_in_reach(session: Session, reach: Reach, user_id: int) -> User:
    account = session.scalar(select(User).where(User.id == user_id, _reach_clause(reach)))
    if account is None:
        raise NotFound("account_not_found", "找不到该账号，或它不在您的管理范围内。",
                       "No such account within your reach.")
    return account


def _field(field: str, exc: DomainError) -> FieldProblem:
    return FieldProblem(field, exc.code, exc.message_zh, exc.message_en)


def create_account(session: Session, actor: Actor, manager: User, reach: Reach, *,
                   phone: str, role: Role, name: str, district: str | None,
                   password: str | None, districts: Sequence[str]) -> User:
    """Validate every field before anything is stored, then create the account."""
    if role not in reach.roles or role not in CREATABLE:
        raise FieldProblem("role", "role_not_allowed", "您不能创建该角色的账号。",
                           "You may not create accounts with this role.")
    try:
        number = normalize_phone(phone)
    except DomainError as exc:
        raise _field("phone", exc) from None
    district = (district or "").strip() or None
    if reach.district is not None:
        district = reach.district  # a district admin's accounts belong to their district
    if district is not None and district not in districts:
        raise FieldProblem("district", "district_unknown", "请从列表中选择区县。",
                           "Choose a district from the list.")
    if role == Role.DISTRICT_ADMIN and district is None:
        raise FieldProblem("district", "district_required", "区县管理员需要指定所辖区县。",
                           "A district admin needs a district.")
    if role in SECOND_FACTOR_ROLES:
        if not password:
            raise FieldProblem("password", "password_required",
                               "该角色登录时需要密码（第二重验证），请设置密码。",
                               "This role signs in with a password as a second factor; set one.")
        try:
            check_password_policy(password, (number, name))
        except DomainError as exc:
            raise _field("password", exc) from None
    else:
        password = None  # venue managers sign in by SMS alone
    if session.scalar(select(User.id).where(User.phone == number)) is not None:
        raise FieldProblem("phone", "user_exists", "该手机号已有账号。",
                           "An account with this phone exists already.")
    user = create_user(session, actor, number, role, name, password, district)
    user.created_by = manager.id
    return user


def deactivate(session: Session, actor: Actor, manager: User, account: User) -> None:
    if account.id == manager.id:
        raise Conflict("cannot_deactivate_self", "不能停用自己的账号。",
                       "You cannot deactivate your own account.")
    set_active(session, actor, account, active=False)


def activate(session: Session, actor: Actor, account: User) -> None:
    set_active(session, actor, account, active=True)


def sign_out_everywhere(session: Session, actor: Actor, account: User) -> None:
    revoke_all(session, actor, account.id)
    session.refresh(account)


# Temporary passwords: five groups of four from an alphabet without look-alikes
# (no 0/O, 1/l/I), about 100 bits, read out or typed from a screen without mistakes.
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(5))


def check_resettable(reach: Reach, account: User) -> None:
    """Only system admins reset passwords, and only of accounts that have one."""
    if not reach.resets_passwords:
        raise PermissionDenied(details={"needs": Permission.USERS_MANAGE.value})
    if Role(account.role) not in SECOND_FACTOR_ROLES:
        raise Conflict("no_password", "该账号只用短信验证码登录，没有密码。",
                       "This account signs in by SMS code alone; it has no password.")


def reset_password(session: Session, actor: Actor, reach: Reach, account: User,
                   password: str | None) -> str | None:
    """Set `password` (the policy applies) or, without one, a temporary password, which is
    returned to be shown once. Either way the account is signed out everywhere."""
    check_resettable(reach, account)
    shown = None
    if password:
        try:
            check_password_policy(password, (account.phone, account.display_name))
        except DomainError as exc:
            raise _field("password", exc) from None
    else:
        password = shown = temporary_password()
    account.password_hash = hash_password(password, (account.phone, account.display_name))
    record(session, actor, AuditAction.USER_PASSWORD_SET, "user", account.id,
           temporary=shown is not None)
    revoke_all(session, actor, account.id)
    session.refresh(account)
    return shown
