"""Sign-in pages: phone → SMS code → (staff) password. The token goes in an HttpOnly cookie."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from venuecode.audit.access_log import entries_for
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.audit.words import described, role_words
from venuecode.errors import DomainError, NotAuthenticated
from venuecode.msgid import N_
from venuecode.people import auth
from venuecode.people.api import client_ip
from venuecode.people.binding import bind_identity
from venuecode.people.idnumber import mask_id_number, mask_name
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
from venuecode.web.flash import flash
from venuecode.web.i18n import request_locale, translations
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
# Entries that changed the person's health code (tracing's push, and lifting it again).
CODE_CHANGES = frozenset({AuditAction.TRACE_ACTION_APPROVED.value,
                          AuditAction.TRACE_MARK_LIFTED.value})


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
    target = f"/login/code?phone={quote(phone.strip())}&next={quote(_safe_next(next))}"
    try:
        auth.request_code(session, state.sms, state.secret, state.limiter, phone,
                          client_ip(request), state.settings.sms_per_address_hour)
        session.commit()
    except DomainError as exc:
        if exc.code == "sms_too_soon":
            # A code went out less than a minute ago and still works: back to the code
            # page, which says when a new one can be asked for, not the phone page.
            return RedirectResponse(target + "&again=1", status_code=303)
        page = "login_code.html" if form.resend else "login.html"
        return render(request, page, {"next": _safe_next(next), "phone": phone, "wait": 0,
                                      "error": exc.message(locale)}, status_code=exc.status)
    response = RedirectResponse(target, status_code=303)
    return flash(request, response, "code_resent") if form.resend else response


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, session: SessionDep, phone: Annotated[str, Query(title=N_("Mobile number"))],
              next: str = "/",
              again: bool = False) -> HTMLResponse:
    """The code page; `wait` drives its countdown to 重新发送 (60 s after the last code)."""
    return render(request, "login_code.html", {"phone": phone, "next": _safe_next(next),
                                               "error": None, "again": again,
                                               "wait": auth.resend_wait(session, phone)})


@router.post("/login/code", response_class=HTMLResponse)
def code_check(request: Request, session: SessionDep, state: StateDep, locale: LocaleDep,
               form: Annotated[CodeForm, Form()]) -> Response:
    phone, code, next = form.phone, form.code, form.next
    try:
        user = auth.verify_sms_code(session, state.secret, phone, code)
    except DomainError as exc:
        session.commit()  # keep the failed attempt count
        return render(request, "login_code.html", {"phone": phone, "next": _safe_next(next),
                                                   "error": exc.message(locale),
                                                   "wait": auth.resend_wait(session, phone)},
                      status_code=exc.status)
    record(session, actor_of(user, request), AuditAction.USER_SIGNED_IN, "user", user.id)
    session.commit()
    token = auth.issue_token(state.secret, user, second_factor=False)
    if auth.needs_second_factor(user):
        response: Response = RedirectResponse(
            f"/login/password?next={quote(_safe_next(next))}", status_code=303)
    else:
        response = flash(request, RedirectResponse(_safe_next(next), status_code=303), "signed_in")
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
                       "error": translations(locale).gettext(N_("The password is wrong."))},
                      status_code=401)
    response = flash(request, RedirectResponse(_safe_next(next), status_code=303), "signed_in")
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
    response = flash(request, RedirectResponse("/", status_code=303), "signed_out")
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


@router.get("/me/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    """Who used my data, in words (the same entries as GET /api/v1/me/access-log)."""
    tr = translations(request_locale(request))
    # Already in the reader's words (blanks such as a gate device's name filled in).
    entries = [{"at": e.at, "role": role_words(e.role),
                "what": described(tr.gettext, e.action, e.params),
                "reason": e.reason, "changed_code": e.action in CODE_CHANGES,
                "code_restored": e.code_restored}
               for e in entries_for(session, user.id_number, user.id)]
    return render(request, "access_log.html", {"entries": entries})


@router.get("/me/identity", response_class=HTMLResponse)
def identity_form(request: Request, user: CurrentUser, next: str = "/") -> HTMLResponse:
    """The form, or for a verified citizen the bound name and number (masked)."""
    bound = {"bound_name": mask_name(user.real_name) if user.real_name else "",
             "bound_id": mask_id_number(user.id_number)} if user.id_number else {}
    return render(request, "identity.html", {"user": user, "next": _safe_next(next),
                                             "error": None, **bound})


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
    return flash(request, RedirectResponse(_safe_next(next), status_code=303), "identity_bound")
