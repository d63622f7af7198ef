"""Sign-in: one-time SMS codes (hashed, single use, expiring, rate-limited), access tokens,
and the password second factor for staff.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, delete, exists, false, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.ratelimit import Limit, Limiter
from venuecode.access.roles import SECOND_FACTOR_ROLES, Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import InvalidInput, NotAuthenticated, RateLimited
from venuecode.people.models import RevokedToken, SmsCode, User
from venuecode.people.sms import SmsSender

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS_PER_CODE = 5
PHONE_MAX_PER_HOUR = 5
IP_MAX_PER_HOUR = 30
# Lockout with backoff: each tier counts every password try of an account (a right one
# clears them), so past 5 tries the wait is about 15 minutes, past 10 an hour, past 20 a day.
PASSWORD_TIERS = (
    Limit("password", 5, 15 * 60, fail_open=False),
    Limit("password-hour", 10, 3600, fail_open=False),
    Limit("password-day", 20, 24 * 3600, fail_open=False),
)
# One `user.password_locked` audit event per account per quarter hour, however many
# refused tries arrive (a flood must not flood the audit log).
PASSWORD_LOCK_AUDIT = Limit("password-lock-audit", 1, 15 * 60, fail_open=True)
# Sign-in limits fail closed: an outage of the limiter must not open the door to guessing.
SMS_PER_PHONE_MINUTE = Limit("sms-phone-minute", 1, 60, fail_open=False)
SMS_PER_PHONE_HOUR = Limit("sms-phone-hour", PHONE_MAX_PER_HOUR, 3600, fail_open=False)
SMS_PER_IP_HOUR = Limit("sms-ip-hour", IP_MAX_PER_HOUR, 3600, fail_open=False)
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4; 3 is "safely unguessable" online (about 10^8 guesses)
CITIZEN_TOKEN_AGE = timedelta(days=30)
STAFF_TOKEN_AGE = timedelta(hours=12)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_hasher = PasswordHasher()


def normalize_phone(raw: str) -> str:
    phone = raw.strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _MOBILE.match(phone):
        raise InvalidInput("phone_invalid", "请输入11位手机号码。",
                           "Enter an 11-digit mobile number starting with 1.")
    return phone


def _code_hash(secret: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(
    session: Session, sender: SmsSender, secret: str, limiter: Limiter, phone_raw: str,
    ip: str | None, per_address_hour: int = IP_MAX_PER_HOUR,
) -> None:
    phone = normalize_phone(phone_raw)
    now = clock.now()
    # The limiter decides (one atomic hit each, shared by every process); the rows stay
    # as the record of what was sent. Per phone first: a number hammered from one
    # network does not use up that network's allowance for its other people.
    wait = limiter.hit(SMS_PER_PHONE_MINUTE, phone)
    if wait:
        seconds = int(wait) + 1
        raise RateLimited("sms_too_soon", f"验证码已发送，请{seconds}秒后再试。",
                          f"A code was just sent; try again in {seconds} seconds.", seconds)
    if limiter.hit(SMS_PER_PHONE_HOUR, phone):
        raise RateLimited("sms_phone_limit", "该号码请求验证码过于频繁，请一小时后再试。",
                          "Too many codes for this number; try again in an hour.", 3600)
    per_address = (SMS_PER_IP_HOUR if per_address_hour == IP_MAX_PER_HOUR else
                   Limit(SMS_PER_IP_HOUR.name, per_address_hour, 3600, fail_open=False))
    if ip and limiter.hit(per_address, ip):
        raise RateLimited("sms_ip_limit", "请求过于频繁，请稍后再试。",
                          "Too many code requests from this network; try again later.", 3600)
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SmsCode(phone=phone, code_hash=_code_hash(secret, phone, code), created_at=now,
                        expires_at=now + CODE_TTL, attempts=0, ip=ip))
    session.flush()
    sender.send_code(phone, f"【场所码】您的登录验证码为{code}，5分钟内有效。请勿告诉他人。", code)


def resend_wait(session: Session, phone_raw: str) -> int:
    """Seconds until this phone may ask for another code (the code page's countdown); the
    limiter, not this, decides: this only reads when the last code was sent."""
    try:
        phone = normalize_phone(phone_raw)
    except InvalidInput:
        return 0
    last = session.scalar(select(SmsCode.created_at).where(SmsCode.phone == phone)
                          .order_by(SmsCode.created_at.desc()).limit(1))
    if last is None:
        return 0
    left = SMS_PER_PHONE_MINUTE.seconds - (clock.now() - last).total_seconds()
    return min(SMS_PER_PHONE_MINUTE.seconds, math.ceil(left)) if left > 0 else 0


def verify_sms_code(session: Session, secret: str, phone_raw: str, code: str) -> User:
    """Consume a valid code and return the user (created as a citizen on first sign-in).

    Every guess is counted before it is compared, by one conditional UPDATE: concurrent
    guesses queue on the row, so a code gets at most `MAX_ATTEMPTS_PER_CODE` however many
    arrive at once. The caller commits even when this raises, to keep the count.
    """
    phone = normalize_phone(phone_raw)
    now = clock.now()
    candidate = session.execute(
        select(SmsCode.id, SmsCode.code_hash, SmsCode.expires_at)
        .where(SmsCode.phone == phone, SmsCode.used_at.is_(None))
        .order_by(SmsCode.created_at.desc()).limit(1)
    ).first()
    wrong = InvalidInput("sms_code_wrong", "验证码错误或已失效，请重新获取。",
                         "The code is wrong or no longer valid; request a new one.")
    if candidate is None or candidate.expires_at <= now:
        raise wrong
    unused = (SmsCode.id == candidate.id) & SmsCode.used_at.is_(None)
    counted = session.execute(
        update(SmsCode).where(unused, SmsCode.attempts < MAX_ATTEMPTS_PER_CODE)
        .values(attempts=SmsCode.attempts + 1).returning(SmsCode.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if counted is None:
        raise wrong
    if not hmac.compare_digest(candidate.code_hash, _code_hash(secret, phone, code.strip())):
        raise wrong
    # Single use under concurrency too: only one of two right guesses marks it used.
    if session.execute(update(SmsCode).where(unused).values(used_at=now)
                       .returning(SmsCode.id).execution_options(synchronize_session=False)
                       ).first() is None:
        raise wrong
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, role=Role.CITIZEN.value, created_at=now)
        session.add(user)
        session.flush()
    if not user.active:
        raise NotAuthenticated("account_disabled", "该账号已停用。", "This account is disabled.")
    return user


class Account(Protocol):
    """What the sign-in checks read of an account: a `User`, or the scan's `ScanUser`."""

    @property
    def role(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def token_version(self) -> int: ...


def needs_second_factor(user: Account) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def hash_password(password: str, user_inputs: Sequence[str] = ()) -> str:
    """The argon2 hash of a password the policy accepts (`check_password_policy`)."""
    check_password_policy(password, user_inputs)
    return _hasher.hash(password)


def check_password_policy(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Refuse short, common and guessable passwords: zxcvbn's estimate must reach
    `MIN_PASSWORD_SCORE` (about 10^8 guesses). `user_inputs` (phone, name) count as known."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password_too_short", f"密码至少需要{MIN_PASSWORD_LENGTH}个字符。",
                           f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    from venuecode.people.passwords import weakness

    why = weakness(password, user_inputs, MIN_PASSWORD_SCORE)
    if why is not None:
        zh, en = why
        raise InvalidInput("password_weak", f"密码太容易被猜到：{zh}请换一个更长、不常见的密码，"
                           "例如几个不相关的词组合。",
                           f"This password is too easy to guess: {en} Choose a longer, "
                           "uncommon one, for example several unrelated words.")


def check_password(limiter: Limiter, user: User, password: str) -> bool:
    """The staff password, with lockout and backoff (`PASSWORD_TIERS`, per account).

    Every try is counted before it is compared (one atomic hit per tier, shortest first),
    so parallel guesses cannot slip past the count; a right password clears the count.
    Raises `RateLimited` with the wait while the account is locked.
    """
    key = str(user.id)
    for tier in PASSWORD_TIERS:
        wait = limiter.hit(tier, key)
        if wait:
            raise PasswordLocked(wait)
    right = _verify(user, password)
    if right:
        for tier in PASSWORD_TIERS:
            limiter.clear(tier, key)
    return right


class PasswordLocked(RateLimited):
    def __init__(self, wait: float) -> None:
        seconds = int(wait) + 1
        zh, en = _wait_text(seconds)
        super().__init__("password_too_many",
                         f"密码错误次数过多，账号已暂时锁定，请{zh}后再试。",
                         f"Too many wrong passwords; the account is locked. Try again in {en}.",
                         seconds)


def _wait_text(seconds: int) -> tuple[str, str]:
    if seconds < 3600:
        minutes = -(-seconds // 60)
        return f"{minutes}分钟", f"{minutes} minutes"
    hours = -(-seconds // 3600)
    return f"{hours}小时", f"{hours} hours"


def _verify(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_staff_password(session: Session, limiter: Limiter, actor: Actor, user: User,
                          password: str) -> bool:
    """`check_password`, audited: each wrong password, and the lockout once per window.
    The caller commits whatever this returns or raises, to keep the record."""
    try:
        right = check_password(limiter, user, password)
    except PasswordLocked:
        if not limiter.hit(PASSWORD_LOCK_AUDIT, str(user.id)):
            record(session, actor, AuditAction.USER_PASSWORD_LOCKED, "user", user.id)
        raise
    if not right:
        record(session, actor, AuditAction.USER_PASSWORD_WRONG, "user", user.id)
    return right


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    version: int
    second_factor: bool
    # The token's own id, for signing out this token alone (None: issued before ids).
    jti: str | None = None
    issued_at: datetime | None = None


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="venuecode.access")


def issue_token(secret: str, user: User, second_factor: bool = False) -> str:
    return _serializer(secret).dumps({"u": user.id, "v": user.token_version,
                                      "f": second_factor, "j": secrets.token_urlsafe(12)})


def _claims(data: dict[str, object], issued: datetime | None) -> TokenClaims:
    jti = data.get("j")
    return TokenClaims(int(str(data["u"])), int(str(data["v"])), bool(data.get("f")),
                       jti if isinstance(jti, str) and jti else None, issued)


def read_token(secret: str, token: str, staff: bool) -> TokenClaims:
    max_age = STAFF_TOKEN_AGE if staff else CITIZEN_TOKEN_AGE
    try:
        data, issued = _serializer(secret).loads(token, max_age=int(max_age.total_seconds()),
                                                 return_timestamp=True)
    except SignatureExpired:
        raise NotAuthenticated("session_expired", "登录已过期，请重新登录。",
                               "Your sign-in has expired; please sign in again.") from None
    except BadSignature:
        raise NotAuthenticated() from None
    return _claims(data, issued)


def peek_claims(secret: str, token: str) -> TokenClaims:
    """Claims without the age check (`check_account` checks the age for the user's role)."""
    try:
        data, issued = _serializer(secret).loads(token, return_timestamp=True)
    except BadSignature:
        raise NotAuthenticated() from None
    return _claims(data, issued)


def token_age(role: str) -> timedelta:
    """How long a token (and the cookie holding it) lasts for an account of `role`."""
    return STAFF_TOKEN_AGE if role in SECOND_FACTOR_ROLES else CITIZEN_TOKEN_AGE


def revoked_clause(claims: TokenClaims) -> ColumnElement[bool]:
    """True when this token was signed out; to read in the same select as the account."""
    if claims.jti is None:
        return false()
    return exists().where(RevokedToken.jti == claims.jti)


def revoke_token(session: Session, actor: Actor, claims: TokenClaims,
                 audited: bool = True) -> None:
    """Sign out this token only (the account's other devices stay signed in).

    The row is kept while the token could still be valid (the longest token age) and
    expired rows are dropped here, so the table holds only live revocations. A token
    without an id (issued before ids) can only be signed out with all the others.
    """
    now = clock.now()
    if claims.jti is None:
        revoke_all(session, actor, claims.user_id)
        return
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    issued = claims.issued_at or now
    row = {"jti": claims.jti, "user_id": claims.user_id, "expires_at": issued + CITIZEN_TOKEN_AGE}
    # Two sign-outs of one token at once: the second is a no-op, not a key conflict.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(RevokedToken).values(**row).on_conflict_do_nothing())
    if audited:
        record(session, actor, AuditAction.USER_SIGNED_OUT, "user", claims.user_id)
    session.flush()


def revoke_all(session: Session, actor: Actor, user_id: int,
               action: AuditAction = AuditAction.USER_SIGNED_OUT_EVERYWHERE) -> None:
    """Sign out every token of the account issued so far (`token_version` + 1), in one
    UPDATE so two at once both count."""
    session.execute(update(User).where(User.id == user_id)
                    .values(token_version=User.token_version + 1)
                    .execution_options(synchronize_session=False))
    record(session, actor, action, "user", user_id)
    session.flush()


def set_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Deactivate (and sign out everywhere) or reactivate an account."""
    if user.active == active:
        return
    user.active = active
    session.flush()
    if active:
        record(session, actor, AuditAction.USER_ACTIVATED, "user", user.id)
    else:
        revoke_all(session, actor, user.id, AuditAction.USER_DEACTIVATED)
    session.refresh(user)


@dataclass(frozen=True, slots=True)
class ScanUser:
    """What the scan needs of an account; the hot path reads it in its one select."""

    id: int
    role: str
    active: bool
    token_version: int
    id_number: str | None
    real_name: str | None
    # This token was signed out (`revoked_clause`, read in the scan's one select).
    token_revoked: bool = False


A = TypeVar("A", bound=Account)


def check_account(secret: str, token: str, claims: TokenClaims, account: A | None,
                  revoked: bool, allow_pending_factor: bool = False) -> A:
    """The checks every signed-in request passes, on the account `claims` names.

    Refuses a missing or disabled account, a signed-out token (`revoked`, read with the
    account by `revoked_clause`), a token from before a sign-out everywhere
    (`token_version`), one older than the role allows, and a staff token without the
    password second factor unless `allow_pending_factor` (the page that asks for it).
    """
    if (account is None or not account.active or revoked
            or account.token_version != claims.version):
        raise NotAuthenticated()
    staff = needs_second_factor(account)
    read_token(secret, token, staff=staff)  # enforces the role's maximum age
    if staff and not claims.second_factor and not allow_pending_factor:
        raise NotAuthenticated("second_factor_required", "请输入密码完成第二重验证。",
                               "Enter your password to finish signing in.")
    return account
