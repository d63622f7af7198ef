"""Sign-in and the citizen's own account: /api/v1/auth/*, /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.access.roles import Permission
from venuecode.audit.access_log import entries_for
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.audit.words import described, role_words
from venuecode.errors import Conflict, NotAuthenticated, NotFound
from venuecode.people import auth
from venuecode.people.binding import bind_identity, desk_bind
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.people.models import User
from venuecode.people.schemas import (
    AccountOut,
    DeskBindingOut,
    DeskBindingRequest,
    IdentityRequest,
    LoginRequest,
    MeOut,
    PasswordRequest,
    SmsCodeRequest,
    TokenOut,
)
from venuecode.web.deps import (
    CurrentUser,
    SessionDep,
    StateDep,
    actor_of,
    load_user,
    require,
    token_claims,
)
from venuecode.web.i18n import request_locale, translations

router = APIRouter(prefix="/api/v1", tags=["auth"])


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/auth/sms-code", status_code=202)
def sms_code(body: SmsCodeRequest, request: Request, session: SessionDep,
             state: StateDep) -> JSONResponse:
    auth.request_code(session, state.sms, state.secret, state.limiter, body.phone,
                      client_ip(request), state.settings.sms_per_address_hour)
    session.commit()
    return JSONResponse({"sent": True, "expires_in": int(auth.CODE_TTL.total_seconds())},
                        status_code=202)


@router.post("/auth/login")
def login(body: LoginRequest, request: Request, session: SessionDep, state: StateDep) -> TokenOut:
    try:
        user = auth.verify_sms_code(session, state.secret, body.phone, body.code)
    finally:
        # A wrong code still counts as an attempt: keep it even though we raise.
        session.commit()
    record(session, actor_of(user, request), AuditAction.USER_SIGNED_IN, "user", user.id)
    session.commit()
    pending = auth.needs_second_factor(user)
    return TokenOut(access_token=auth.issue_token(state.secret, user, second_factor=False),
                    second_factor_required=pending)


@router.post("/auth/password")
def second_factor(body: PasswordRequest, request: Request, session: SessionDep,
                  state: StateDep) -> TokenOut:
    user = load_user(request, state, session, allow_pending_factor=True)
    claims = token_claims(request, state)
    if user is None or claims is None:
        raise NotAuthenticated()
    try:
        right = auth.verify_staff_password(session, state.limiter, actor_of(user, request),
                                           user, body.password)
    finally:
        session.commit()  # the audit of a wrong password or a lockout stays
    if not right:
        raise NotAuthenticated("password_wrong", "密码错误。", "The password is wrong.")
    if claims.jti is not None:
        # The half-signed-in token has done its job: only the new one works from here.
        auth.revoke_token(session, actor_of(user, request), claims, audited=False)
        session.commit()
    return TokenOut(access_token=auth.issue_token(state.secret, user, second_factor=True))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Sign out this token; the account's other devices stay signed in."""
    user = load_user(request, state, session, allow_pending_factor=True)
    claims = token_claims(request, state)
    if user is None or claims is None:
        raise NotAuthenticated()
    auth.revoke_token(session, actor_of(user, request), claims)
    session.commit()
    return Response(status_code=204)


@router.post("/auth/logout-all", status_code=204)
def logout_all(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Sign out every device of this account, this one too."""
    user = load_user(request, state, session, allow_pending_factor=True)
    if user is None:
        raise NotAuthenticated()
    auth.revoke_all(session, actor_of(user, request), user.id)
    session.commit()
    return Response(status_code=204)


def me_out(user: User) -> MeOut:
    return MeOut(
        id=user.id, phone=user.phone, role=user.role, display_name=user.display_name,
        identity_bound=user.id_number is not None,
        name_masked=mask_name(user.real_name) if user.real_name else None,
        id_number_masked=mask_id_number(user.id_number) if user.id_number else None,
    )


@router.get("/me")
def me(user: CurrentUser) -> MeOut:
    return me_out(user)


@router.put("/me/identity")
def put_identity(body: IdentityRequest, request: Request, user: CurrentUser,
                 session: SessionDep, state: StateDep) -> MeOut:
    """Bind my identity: the registry must hold this name, and this account's phone, for it."""
    try:
        bind_identity(session, state.limiter, actor_of(user, request), user, body.id_number,
                      body.name, open_registry=state.settings.environment != "production")
    finally:
        session.commit()  # a refusal is audited too
    return me_out(user)


DeskStaff = Annotated[User, Depends(require(Permission.IDENTITY_VERIFY))]


@router.post("/identity/desk-bindings")
def post_desk_binding(body: DeskBindingRequest, request: Request, staff: DeskStaff,
                      session: SessionDep) -> DeskBindingOut:
    """Service desk (服务窗口): bind an account after checking the ID card in person."""
    target = session.scalar(select(User).where(User.phone == auth.normalize_phone(body.phone)))
    if target is None:
        raise NotFound("user_not_found", "没有使用该手机号的账号，请先用该手机号登录一次。",
                       "No account uses this phone; sign in with it once first.")
    released = desk_bind(session, actor_of(staff, request), staff.id, target, body.id_number,
                         body.name, body.reason)
    session.commit()
    assert target.id_number is not None and target.real_name is not None
    return DeskBindingOut(user_id=target.id, id_number_masked=mask_id_number(target.id_number),
                          name_masked=mask_name(target.real_name),
                          released_user_id=released.id if released else None)


@router.get("/me/access-log")
def access_log(request: Request, user: CurrentUser, session: SessionDep) -> list[dict[str, str]]:
    """Who looked at or acted on my personal data: when, which role, what, and why.

    `what` and `role_name` are words in the reader's language (what the history page
    shows); `action` and `role` are the stable codes, for programs."""
    tr = translations(request_locale(request))
    return [{"at": e.at.isoformat(), "role": e.role, "role_name": tr.gettext(role_words(e.role)),
             "action": e.action, "what": described(tr.gettext, e.action, e.params), "reason": e.reason}
            for e in entries_for(session, user.id_number, user.id)]


# Other accounts, for system admins (the operator console comes later; the CLI too).
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The account's id.")]
Manager = Annotated[User, Depends(require(Permission.USERS_MANAGE))]


def _account(session: Session, user_id: int) -> User:
    account = session.get(User, user_id)
    if account is None:
        raise NotFound("user_not_found", "找不到该账号。", "No account with this id.")
    return account


@router.post("/users/{user_id}/deactivate", tags=["users"])
def deactivate_account(user_id: AccountId, request: Request, admin: Manager,
                       session: SessionDep) -> AccountOut:
    """Deactivate an account and sign it out everywhere (audited)."""
    account = _account(session, user_id)
    if account.id == admin.id:
        raise Conflict("cannot_deactivate_self", "不能停用自己的账号。",
                       "You cannot deactivate your own account.")
    auth.set_active(session, actor_of(admin, request), account, active=False)
    session.commit()
    return AccountOut.of(account)


@router.post("/users/{user_id}/activate", tags=["users"])
def activate_account(user_id: AccountId, request: Request, admin: Manager,
                     session: SessionDep) -> AccountOut:
    """Reactivate an account (it signs in afresh; old tokens stay invalid)."""
    account = _account(session, user_id)
    auth.set_active(session, actor_of(admin, request), account, active=True)
    session.commit()
    return AccountOut.of(account)


@router.post("/users/{user_id}/signout", tags=["users"])
def sign_out_account(user_id: AccountId, request: Request, admin: Manager,
                     session: SessionDep) -> AccountOut:
    """Sign an account out on every device (audited)."""
    account = _account(session, user_id)
    auth.revoke_all(session, actor_of(admin, request), account.id)
    session.commit()
    session.refresh(account)
    return AccountOut.of(account)
