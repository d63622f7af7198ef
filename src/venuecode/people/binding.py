"""Real-name binding (实名认证): an account proves the person before it holds their identity.

Self-service binding needs the population registry (`persons`) to agree on all three:
the ID number, the name, and the phone, which must be the account's own (proved by the
SMS sign-in). Whatever is wrong, the answer is the same refusal (`identity_not_verified`:
same status, code and message, after the same two look-ups), so binding never tells a
wrong name from an unknown number or a phone mismatch. The stronger path is the service
desk: staff with `identity.verify` check the ID card in person (`desk_bind`), audited
with their reason.

An ID number already bound to another account goes to whoever proves it: that account's
binding is released, audited as `identity.released` and shown in its access log.
Attempts are limited per account and per client address, and refusals are audited.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.ratelimit import Limit, Limiter
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, DomainError, InvalidInput, PermissionDenied, RateLimited
from venuecode.people.auth import normalize_phone
from venuecode.people.idnumber import IdNumberError, mask_id_number, parse_id_number
from venuecode.people.models import Person, User

_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·• .'-]{1,30}$")

# A person binds once; a few typing mistakes fit, a guessing run does not. Fail closed:
# an outage of the limiter must not open a guessing window.
BIND_PER_ACCOUNT = Limit("identity-bind-account", 5, 3600, fail_open=False)
BIND_PER_ADDRESS = Limit("identity-bind-ip", 30, 3600, fail_open=False)

RELEASED_REASON = ("该身份证号已由人口库登记手机号的本人重新实名认证，本账号的实名绑定已解除。"
                   "如有疑问，请携带身份证到服务窗口办理。")


class IdentityNotVerified(InvalidInput):
    """The one answer for every binding the registry does not confirm."""

    def __init__(self) -> None:
        super().__init__(
            "identity_not_verified",
            "无法完成实名认证：姓名、身份证号和本账号的手机号须与人口库登记的一致。"
            "如已更换手机号或登记信息有误，请携带身份证到社区服务窗口办理。",
            "The identity could not be verified: the name, the ID number and this "
            "account's phone must match the population registry. If your phone changed, "
            "bring your ID card to a service desk.")


@dataclass(frozen=True)
class Claim:
    id_number: str
    name: str


def parse_claim(id_number: str, name: str) -> Claim:
    """Format checks only: they depend on the input alone, so they tell nothing."""
    try:
        parsed = parse_id_number(id_number, today=clock.now().date())
    except IdNumberError as exc:
        raise InvalidInput(exc.code, exc.message_zh, exc.message_en) from None
    clean = name.strip()
    if not _NAME.match(clean):
        raise InvalidInput("name_invalid", "请输入与身份证一致的姓名。",
                           "Enter your name as it is written on your ID card.")
    return Claim(parsed.value, clean)


def check_rate(limiter: Limiter, user_id: int, ip: str | None) -> None:
    for limit, key in ((BIND_PER_ACCOUNT, str(user_id)), (BIND_PER_ADDRESS, ip)):
        if key and (wait := limiter.hit(limit, key)):
            seconds = int(wait) + 1
            raise RateLimited("identity_too_frequent",
                              f"实名认证尝试过于频繁，请{seconds}秒后再试。",
                              f"Too many verification attempts; try again in {seconds} seconds.",
                              seconds)


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def registry_phone(person: Person | None) -> str | None:
    if person is None or not person.phone:
        return None
    try:
        return normalize_phone(person.phone)
    except DomainError:
        return None  # a registry phone that is no mobile number proves nobody


def proves(person: Person | None, claim: Claim, phone: str) -> bool:
    # Both comparisons always run: one shape whatever is wrong.
    name_ok = _same(person.name if person else None, claim.name)
    phone_ok = _same(registry_phone(person), phone)
    return name_ok and phone_ok


def _holder(session: Session, id_number: str) -> User | None:
    return session.scalar(select(User).where(User.id_number == id_number))


def _release(session: Session, actor: Actor, holder: User, to: User) -> None:
    holder.id_number = None
    holder.real_name = None
    session.flush()  # the ID number is unique: free it before it is bound again
    record(session, actor, AuditAction.IDENTITY_RELEASED, "user", holder.id, RELEASED_REASON,
           taken_over_by=to.id)


def _set(session: Session, actor: Actor, user: User, claim: Claim, method: str) -> None:
    user.id_number = claim.id_number
    user.real_name = claim.name
    session.flush()
    record(session, actor, AuditAction.IDENTITY_BOUND, "user", user.id, method=method)


def registry_loaded(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Person.id_number.isnot(None)))))


def bind_identity(session: Session, limiter: Limiter, actor: Actor, user: User,
                  id_number: str, name: str, *, open_registry: bool = False) -> User:
    """Self-service binding; refusals are recorded, so the caller commits either way.

    `open_registry`: outside production, a deployment whose registry is still empty
    (development, demos) binds without proof, first come first served; production never.
    """
    check_rate(limiter, user.id, actor.ip)
    claim = parse_claim(id_number, name)
    if user.id_number is not None:
        if user.id_number == claim.id_number and user.real_name == claim.name:
            return user
        raise Conflict("identity_already_bound", "该账号已完成实名认证，如需更改请到服务窗口办理。",
                       "This account is already bound to an identity; a service desk can "
                       "change it.")
    person = session.get(Person, claim.id_number)
    holder = _holder(session, claim.id_number)
    if person is None and holder is None and open_registry and not registry_loaded(session):
        _set(session, actor, user, claim, "unverified")
        return user
    if not proves(person, claim, user.phone):
        record(session, actor, AuditAction.IDENTITY_REFUSED, "user", user.id, where="binding",
               id_number=mask_id_number(claim.id_number))
        raise IdentityNotVerified()
    if holder is not None:
        _release(session, actor, holder, user)
    _set(session, actor, user, claim, "registry_phone")
    return user


def desk_bind(session: Session, actor: Actor, staff_id: int | None, target: User,
              id_number: str, name: str, reason: str) -> User | None:
    """Staff checked the ID card in person: bind it to `target`; the released account, if any."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required", "请填写办理事由（如核验的证件）。",
                           "Give the reason (for example the document checked).")
    if staff_id is not None and staff_id == target.id:
        raise PermissionDenied("desk_bind_self", "不能为自己的账号办理实名认证。",
                               "Staff cannot verify their own account.")
    claim = parse_claim(id_number, name)
    person = session.get(Person, claim.id_number)
    if person is None or person.name != claim.name:
        raise InvalidInput("person_not_registered", "人口库中没有该姓名和身份证号的登记，无法办理。",
                           "The population registry has no person with this name and ID "
                           "number.")
    same = target.id_number == claim.id_number and target.real_name == claim.name
    released = None if same else _holder(session, claim.id_number)
    if released is not None:
        _release(session, actor, released, target)
    previous = mask_id_number(target.id_number) if target.id_number and not same else None
    # Recorded even when the binding stands: the desk confirmed it (`audit-bindings`).
    record(session, actor, AuditAction.IDENTITY_DESK_BOUND, "person", claim.id_number, reason,
           user=target.id, previous=previous)
    if not same:
        _set(session, actor, target, claim, "desk")
    return released
