"""Operator console: data sources' API keys (/admin/console/keys), on the one key model
and service (`access/models.py`, `ingest/sources.py`). A new key is shown once, in the
response to its creation, and never again (only its hash is stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from venuecode.access.models import ApiKey
from venuecode.access.roles import Permission
from venuecode.console.accounts import FieldProblem
from venuecode.console.accounts_pages import field_error
from venuecode.console.flash import done_message
from venuecode.console.words import kind_words
from venuecode.errors import DomainError, NotFound
from venuecode.ingest.kinds import KINDS
from venuecode.ingest.sources import create_key, kinds_of, list_keys, revoke_key
from venuecode.people.models import User
from venuecode.web.deps import LocaleDep, SessionDep, actor_of, require
from venuecode.web.params import ObjectId
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
KeyAdmin = Annotated[User, Depends(require(Permission.SOURCES_MANAGE))]
BASE = "/admin/console/keys"


class KeyForm(BaseModel):
    source_name: str = Field(default="", max_length=64, title="Source name")
    kinds: list[str] = Field(default_factory=list, max_length=len(KINDS), title="Data kinds")


def _context(session: SessionDep, **extra: object) -> dict[str, object]:
    keys = list_keys(session)
    context: dict[str, object] = {
        "keys": keys, "kinds": [(k, kind_words(k)) for k in KINDS],
        "key_kinds": {k.id: sorted(kinds_of(k)) for k in keys}, "kind_words": kind_words,
        "new_key": None, "new_row": None, "error": None, "done": None, "form": KeyForm(),
    }
    context.update(extra)
    return context


@router.get(BASE, response_class=HTMLResponse)
def key_list(request: Request, admin: KeyAdmin, session: SessionDep,
             done: str = "") -> HTMLResponse:
    return render(request, "console/keys.html", _context(session, done=done_message(done)))


@router.post(BASE, response_class=HTMLResponse)
def key_create(request: Request, admin: KeyAdmin, session: SessionDep, locale: LocaleDep,
               form: Annotated[KeyForm, Form()]) -> Response:
    try:
        name = form.source_name.strip()
        if not name:
            raise FieldProblem("source_name", "name_required", "请填写数据源名称。",
                               "Give the source a name.")
        unknown = [k for k in form.kinds if k not in KINDS]
        if unknown or not form.kinds:
            raise FieldProblem("kinds", "unknown_kind", "请至少选择一种列表中的数据类型。",
                               "Choose at least one data kind from the list.")
        try:
            row, key = create_key(session, name, form.kinds, actor_of(admin, request), admin.id)
        except DomainError as exc:  # a name taken already
            raise FieldProblem("source_name", exc.code, exc.message_zh, exc.message_en) from None
        session.commit()
    except FieldProblem as problem:
        session.rollback()
        return render(request, "console/keys.html",
                      _context(session, error=field_error(problem, locale), form=form),
                      status_code=422)
    # The key itself, this once: the page says to copy it now.
    return render(request, "console/keys.html", _context(session, new_key=key, new_row=row))


@router.post(f"{BASE}/{{key_id}}/revoke")
def key_revoke(key_id: ObjectId, request: Request, admin: KeyAdmin,
               session: SessionDep) -> Response:
    if session.get(ApiKey, key_id) is None:
        raise NotFound("no_such_key", "找不到该密钥。", "No such API key.")
    revoke_key(session, "", actor_of(admin, request), key_id=key_id)
    session.commit()
    return RedirectResponse(f"{BASE}?done=key_revoked", status_code=303)
