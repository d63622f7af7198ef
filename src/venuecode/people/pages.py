"""Sign-in pages: phone → SMS code → (staff) password. The token goes in an HttpOnly cookie."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.errors import DomainError, NotAuthenticated
from venuecode.people import auth
from venuecode.people.api import client_ip
from venuecode.people.binding import bind_identity
from venuecode.people.schemas import CodeForm, IdentityForm, PasswordForm, PhoneForm
from venuecode.web.deps import (
    SESSION_COOKIE,
    CurrentUser,
    LocaleDep,
    SessionDep,
    StateDep,
    actor_of,
    load_user,
    token_claims,
)
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a forged link send citizens elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _set_session(response: Response, token: str, secure: bool, role: str) -> None:
    # The cookie lasts as long as the token in it (12 h for staff), not longer.
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        max_age=int(auth.token_age(role).total_seconds()))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_send(request: Request, session: SessionDep, state: StateDep, locale: LocaleDep,
               form: Annotated[PhoneForm, Form()]) -> Response:
    phone, next = form.phone, form.next
    try:
        auth.request_code(session, state.sms, state.secret, state.limiter, phone,
                          client_ip(request))
        session.commit()
    except DomainError as exc:
        return render(request, "login.html", {"next": _safe_next(next), "phone": phone,
                                              "error": exc.message(locale)}, status_code=exc.status)
    target = f"/login/code?phone={quote(phone.strip())}&next={quote(_safe_next(next))}"
    return RedirectResponse(target, status_code=303)


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, phone: str, next: str = "/") -> HTMLResponse:
    return render(request, "login_code.html", {"phone": phone, "next": _safe_next(next),
                                               "error": None})


@router.post("/login/code", response_class=HTMLResponse)
def code_check(request: Request, session: SessionDep, state: StateDep, locale: LocaleDep,
               form: Annotated[CodeForm, Form()]) -> Response:
    phone, code, next = form.phone, form.code, form.next
    try:
        user = auth.verify_sms_code(session, state.secret, phone, code)
    except DomainError as exc:
        session.commit()  # keep the failed attempt count
        return render(request, "login_code.html", {"phone": phone, "next": _safe_next(next),
                                                   "error": exc.message(locale)},
                      status_code=exc.status)
    record(session, actor_of(user, request), AuditAction.USER_SIGNED_IN, "user", user.id)
    session.commit()
    token = auth.issue_token(state.secret, user, second_factor=False)
    if auth.needs_second_factor(user):
        response: Response = RedirectResponse(
            f"/login/password?next={quote(_safe_next(next))}", status_code=303)
    else:
        response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session(response, token, state.settings.public_url.startswith("https"), user.role)
    return response


@router.get("/login/password", response_class=HTMLResponse)
def password_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login_password.html", {"next": _safe_next(next), "error": None})


@router.post("/login/password", response_class=HTMLResponse)
def password_check(request: Request, session: SessionDep, state: StateDep, locale: LocaleDep,
                   form: Annotated[PasswordForm, Form()]) -> Response:
    password, next = form.password, form.next
    user = load_user(request, state, session, allow_pending_factor=True)
    claims = token_claims(request, state)
    if user is None or claims is None:
        raise NotAuthenticated()
    try:
        right = auth.verify_staff_password(session, state.limiter, actor_of(user, request),
                                           user, password)
    except DomainError as exc:
        session.commit()  # the lockout's audit stays
        return render(request, "login_password.html",
                      {"next": _safe_next(next), "error": exc.message(locale)},
                      status_code=exc.status)
    if claims.jti is not None and right:
        # The half-signed-in token has done its job: only the new one works from here.
        auth.revoke_token(session, actor_of(user, request), claims, audited=False)
    session.commit()  # a wrong password's audit stays too
    if not right:
        return render(request, "login_password.html",
                      {"next": _safe_next(next),
                       "error": "密码错误。" if locale == "zh" else "The password is wrong."},
                      status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session(response, auth.issue_token(state.secret, user, second_factor=True),
                 state.settings.public_url.startswith("https"), user.role)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Sign out: the token itself is revoked, not only the cookie cleared."""
    try:
        user = load_user(request, state, session, allow_pending_factor=True)
        claims = token_claims(request, state)
    except NotAuthenticated:
        user = claims = None  # expired or signed out already: only the cookie is left
    if user is not None and claims is not None:
        auth.revoke_token(session, actor_of(user, request), claims)
        session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout-all")
def logout_all(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Sign out every device of this account, this one too (the page asks first): the
    account's `token_version` moves on, so every token it issued is refused from now."""
    user = load_user(request, state, session, allow_pending_factor=True)
    if user is None:
        raise NotAuthenticated()
    auth.revoke_all(session, actor_of(user, request), user.id)
    session.commit()
    response = RedirectResponse("/?signed_out=everywhere", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me/identity", response_class=HTMLResponse)
def identity_form(request: Request, user: CurrentUser, next: str = "/") -> HTMLResponse:
    return render(request, "identity.html", {"user": user, "next": _safe_next(next),
                                             "error": None})


@router.post("/me/identity", response_class=HTMLResponse)
def identity_bind(request: Request, user: CurrentUser, session: SessionDep, state: StateDep,
                  locale: LocaleDep, form: Annotated[IdentityForm, Form()]) -> Response:
    id_number, name, next = form.id_number, form.name, form.next
    try:
        bind_identity(session, state.limiter, actor_of(user, request), user, id_number, name,
                      open_registry=state.settings.environment != "production")
        session.commit()
    except DomainError as exc:
        session.commit()  # the refusal's audit event
        return render(request, "identity.html",
                      {"user": user, "next": _safe_next(next), "error": exc.message(locale),
                       "name": name}, status_code=exc.status)
    return RedirectResponse(_safe_next(next), status_code=303)
