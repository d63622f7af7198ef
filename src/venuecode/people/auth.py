"""Sign-in: one-time SMS codes (hashed, single use, expiring, rate-limited), access tokens,
and the password second factor for staff.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.ratelimit import Limit, Limiter
from venuecode.access.roles import SECOND_FACTOR_ROLES, Role
from venuecode.errors import InvalidInput, NotAuthenticated, RateLimited
from venuecode.people.models import SmsCode, User
from venuecode.people.sms import SmsSender

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS_PER_CODE = 5
PHONE_MAX_PER_HOUR = 5
IP_MAX_PER_HOUR = 30
PASSWORD_TRIES = 10
# Sign-in limits fail closed: an outage of the limiter must not open the door to guessing.
SMS_PER_PHONE_MINUTE = Limit("sms-phone-minute", 1, 60, fail_open=False)
SMS_PER_PHONE_HOUR = Limit("sms-phone-hour", PHONE_MAX_PER_HOUR, 3600, fail_open=False)
SMS_PER_IP_HOUR = Limit("sms-ip-hour", IP_MAX_PER_HOUR, 3600, fail_open=False)
PASSWORD_PER_ACCOUNT = Limit("password", PASSWORD_TRIES, 15 * 60, fail_open=False)
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
    ip: str | None,
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
    if ip and limiter.hit(SMS_PER_IP_HOUR, ip):
        raise RateLimited("sms_ip_limit", "请求过于频繁，请稍后再试。",
                          "Too many code requests from this network; try again later.", 3600)
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(SmsCode(phone=phone, code_hash=_code_hash(secret, phone, code), created_at=now,
                        expires_at=now + CODE_TTL, attempts=0, ip=ip))
    session.flush()
    sender.send_code(phone, f"【场所码】您的登录验证码为{code}，5分钟内有效。请勿告诉他人。", code)


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


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise InvalidInput("password_too_short", "密码至少需要10个字符。",
                           "A password needs at least 10 characters.")
    return _hasher.hash(password)


def check_password(limiter: Limiter, user: User, password: str) -> bool:
    """The staff password, at most `PASSWORD_TRIES` tries per account per window (every try
    counts, right ones too, so parallel guesses cannot slip past the count)."""
    wait = limiter.hit(PASSWORD_PER_ACCOUNT, str(user.id))
    if wait:
        minutes = int(wait // 60) + 1
        raise RateLimited("password_too_many", f"密码尝试次数过多，请{minutes}分钟后再试。",
                          f"Too many password attempts; try again in {minutes} minutes.",
                          int(wait) + 1)
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    version: int
    second_factor: bool


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="venuecode.access")


def issue_token(secret: str, user: User, second_factor: bool = False) -> str:
    return _serializer(secret).dumps({"u": user.id, "v": user.token_version,
                                      "f": second_factor})


def read_token(secret: str, token: str, staff: bool) -> TokenClaims:
    max_age = STAFF_TOKEN_AGE if staff else CITIZEN_TOKEN_AGE
    try:
        data = _serializer(secret).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise NotAuthenticated("session_expired", "登录已过期，请重新登录。",
                               "Your sign-in has expired; please sign in again.") from None
    except BadSignature:
        raise NotAuthenticated() from None
    return TokenClaims(int(data["u"]), int(data["v"]), bool(data.get("f")))


def peek_claims(secret: str, token: str) -> TokenClaims:
    """Claims without the age check (`check_account` checks the age for the user's role)."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        raise NotAuthenticated() from None
    return TokenClaims(int(data["u"]), int(data["v"]), bool(data.get("f")))


@dataclass(frozen=True, slots=True)
class ScanUser:
    """What the scan needs of an account; the hot path reads it in its one select."""

    id: int
    role: str
    active: bool
    token_version: int
    id_number: str | None
    real_name: str | None


A = TypeVar("A", bound=Account)


def check_account(secret: str, token: str, claims: TokenClaims, account: A | None,
                  allow_pending_factor: bool = False) -> A:
    """The checks every signed-in request passes, on the account `claims` names.

    Refuses a missing or disabled account, a token from before a sign-out everywhere
    (`token_version`), one older than the role allows, and a staff token without the
    password second factor unless `allow_pending_factor` (the page that asks for it).
    """
    if account is None or not account.active or account.token_version != claims.version:
        raise NotAuthenticated()
    staff = needs_second_factor(account)
    read_token(secret, token, staff=staff)  # enforces the role's maximum age
    if staff and not claims.second_factor and not allow_pending_factor:
        raise NotAuthenticated("second_factor_required", "请输入密码完成第二重验证。",
                               "Enter your password to finish signing in.")
    return account
