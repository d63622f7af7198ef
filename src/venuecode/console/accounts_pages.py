"""Operator console: accounts (/admin/console/accounts). Who reaches which account is
`console/accounts.py`; every route checks it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from venuecode.access.roles import SECOND_FACTOR_ROLES, Permission, Role
from venuecode.audit.words import role_words
from venuecode.console import accounts
from venuecode.console.accounts import CREATABLE, FieldProblem, Reach, reach_of
from venuecode.console.flash import done_message
from venuecode.console.words import FIELD_LABELS
from venuecode.people.models import User
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require
from venuecode.web.i18n import translations
from venuecode.web.params import ObjectId
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(require(Permission.ACCOUNTS_MANAGE))]
BASE = "/admin/console/accounts"


class AccountForm(BaseModel):
    """The create-account form; each `title` is the label its page shows."""

    phone: str = Field(default="", max_length=20, title="Mobile number")
    role: str = Field(default="", max_length=32, title="Role")
    name: str = Field(default="", max_length=64, title="Name")
    district: str = Field(default="", max_length=64, title="District")
    password: str = Field(default="", max_length=200, title="Password")


class PasswordForm(BaseModel):
    password: str = Field(default="", max_length=200, title="Password")


def field_error(problem: FieldProblem, locale: str) -> str:
    """`密码：密码至少需要10个字符。`: the field by its label, then the problem."""
    label = translations(locale).gettext(FIELD_LABELS.get(problem.field, problem.field))
    return f"{label}{'：' if locale == 'zh' else ': '}{problem.message(locale)}"


def _role_choices(reach: Reach, creatable: bool) -> list[tuple[str, str]]:
    roles = [r for r in (CREATABLE if creatable else accounts.LISTABLE) if r in reach.roles]
    return [(r.value, role_words(r.value)) for r in roles]


def _parse_role(raw: str) -> Role | None:
    try:
        return Role(raw) if raw else None
    except ValueError:
        raise FieldProblem("role", "unknown_role", "请从列表中选择角色。",
                           "Choose a role from the list.") from None


def _parse_page(raw: str) -> int:
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise FieldProblem("page", "bad_page", "页码应为 1 到 100000 之间的整数。",
                           "The page is a whole number from 1 to 100000.")
    return int(raw)


@router.get(BASE, response_class=HTMLResponse)
def account_list(request: Request, manager: Manager, session: SessionDep, state: StateDep,
                 locale: LocaleDep, role: str = "", district: str = "", page: str = "",
                 done: str = "") -> HTMLResponse:
    reach = reach_of(manager)
    context: dict[str, object] = {
        "reach": reach, "roles": _role_choices(reach, creatable=False),
        "districts": state.settings.districts, "role": role, "district": district,
        "done": done_message(done), "error": None, "page": None, "me": manager,
        "second_factor": {r.value for r in SECOND_FACTOR_ROLES}, "role_words": role_words,
    }
    try:
        wanted = _parse_role(role)
        if wanted is not None and (wanted not in reach.roles or wanted not in accounts.LISTABLE):
            raise FieldProblem("role", "role_not_allowed", "该角色不在您的管理范围内。",
                               "This role is not within your reach.")
        if district and district not in state.settings.districts:
            raise FieldProblem("district", "district_unknown", "请从列表中选择区县。",
                               "Choose a district from the list.")
        number = _parse_page(page)
    except FieldProblem as problem:
        context["error"] = field_error(problem, locale)
        return render(request, "console/accounts.html", context, status_code=422)
    found = accounts.list_accounts(session, reach, wanted, district or None, number)
    query = {k: v for k, v in (("role", role), ("district", district)) if v}
    context.update(page=found, query=urlencode(query))
    return render(request, "console/accounts.html", context)


def _form_context(reach: Reach, state: StateDep, form: AccountForm | None = None
                  ) -> dict[str, object]:
    return {"reach": reach, "roles": _role_choices(reach, creatable=True),
            "districts": state.settings.districts, "form": form or AccountForm(),
            "error": None, "error_field": None}


@router.get(f"{BASE}/new", response_class=HTMLResponse)
def account_new(request: Request, manager: Manager, state: StateDep) -> HTMLResponse:
    return render(request, "console/account_new.html", _form_context(reach_of(manager), state))


@router.post(BASE, response_class=HTMLResponse)
def account_create(request: Request, manager: Manager, session: SessionDep, state: StateDep,
                   locale: LocaleDep, form: Annotated[AccountForm, Form()]) -> Response:
    reach = reach_of(manager)
    try:
        role = _parse_role(form.role)
        if role is None:
            raise FieldProblem("role", "role_required", "请选择角色。", "Choose a role.")
        try:
            accounts.create_account(session, actor_of(manager, request), manager, reach,
                                    phone=form.phone, role=role, name=form.name.strip(),
                                    district=form.district, password=form.password or None,
                                    districts=state.settings.districts)
            session.commit()
        except IntegrityError:  # the same phone, created by someone else a moment ago
            raise FieldProblem("phone", "user_exists", "该手机号已有账号。",
                               "An account with this phone exists already.") from None
    except FieldProblem as problem:
        session.rollback()
        context = _form_context(reach, state, form.model_copy(update={"password": ""}))
        context.update(error=field_error(problem, locale), error_field=problem.field)
        return render(request, "console/account_new.html", context, status_code=422)
    return RedirectResponse(f"{BASE}?done=created", status_code=303)


def _act(request: Request, manager: User, session: SessionDep, user_id: int, what: str
         ) -> Response:
    account = accounts.account_in_reach(session, reach_of(manager), user_id)
    actor = actor_of(manager, request)
    if what == "deactivated":
        accounts.deactivate(session, actor, manager, account)
    elif what == "activated":
        accounts.activate(session, actor, account)
    else:
        accounts.sign_out_everywhere(session, actor, account)
    session.commit()
    return RedirectResponse(f"{BASE}?done={what}", status_code=303)


@router.post(f"{BASE}/{{user_id}}/deactivate")
def account_deactivate(user_id: ObjectId, request: Request, manager: Manager,
                       session: SessionDep) -> Response:
    return _act(request, manager, session, user_id, "deactivated")


@router.post(f"{BASE}/{{user_id}}/activate")
def account_activate(user_id: ObjectId, request: Request, manager: Manager,
                     session: SessionDep) -> Response:
    return _act(request, manager, session, user_id, "activated")


@router.post(f"{BASE}/{{user_id}}/signout")
def account_sign_out(user_id: ObjectId, request: Request, manager: Manager,
                     session: SessionDep) -> Response:
    return _act(request, manager, session, user_id, "signed_out")


@router.get(f"{BASE}/{{user_id}}/password", response_class=HTMLResponse)
def password_form(user_id: ObjectId, request: Request, manager: Manager,
                  session: SessionDep) -> HTMLResponse:
    reach = reach_of(manager)
    account = accounts.account_in_reach(session, reach, user_id)
    accounts.check_resettable(reach, account)
    return render(request, "console/password.html", {"account": account, "error": None,
                                                     "temporary": None})


@router.post(f"{BASE}/{{user_id}}/password", response_class=HTMLResponse)
def password_reset(user_id: ObjectId, request: Request, manager: Manager, session: SessionDep,
                   locale: LocaleDep, form: Annotated[PasswordForm, Form()]) -> Response:
    reach = reach_of(manager)
    account = accounts.account_in_reach(session, reach, user_id)
    try:
        temporary = accounts.reset_password(session, actor_of(manager, request), reach,
                                            account, form.password or None)
        session.commit()
    except FieldProblem as problem:
        session.rollback()
        return render(request, "console/password.html",
                      {"account": account, "error": field_error(problem, locale),
                       "temporary": None}, status_code=422)
    if temporary is None:
        return RedirectResponse(f"{BASE}?done=password_set", status_code=303)
    # Shown once, in this response only (never in a URL; responses are `no-store`).
    return render(request, "console/password.html", {"account": account, "error": None,
                                                     "temporary": temporary})
