"""HTML routes of help-scan: the 帮扫 page reached from a scan result.

The page offers the four ways as four large choices (a four-leaf clover, as Hangzhou
showed it). The visit lives in a signed HttpOnly cookie scoped to `/help/{token}`
(`visit.py`): each added person is a post answered by a redirect to the page (post,
redirect, get), so reloading or Back never sends a person twice, a language switch keeps
the list, and the redirect lands on the next person's form (`#help-next`). 完成 marks the
visit finished: Back then leads to the venue page, not to the list. Paper-code, sentinel
and alert pages are in their own modules, included here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from venuecode import clock
from venuecode.access.roles import Permission
from venuecode.assist import paper_pages, sentinel_pages
from venuecode.assist.api import bound, read_photo
from venuecode.assist.deps import IdReaderDep, paper_key
from venuecode.assist.flow import helper_identity, reading_out
from venuecode.assist.idcard import read_id_card
from venuecode.assist.identify import Method, settle
from venuecode.assist.qr import decode_qr
from venuecode.assist.schemas import HelpPersonIn, IdCardReadingOut
from venuecode.assist.service import MAX_PER_VISIT, check_visit, help_person, helped_today
from venuecode.assist.visit import (
    VISIT_MAX_AGE,
    Visit,
    dump_visit,
    helped_row,
    load_visit,
    person_digest,
)
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.errors import DomainError, InvalidInput
from venuecode.people.idnumber import mask_id_number
from venuecode.people.models import User
from venuecode.policy.helped_reasons import helped_message
from venuecode.venues.service import ResolvedCode, resolve_code
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require
from venuecode.web.flash import flash
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(paper_pages.router)
router.include_router(sentinel_pages.router)
Helper = Annotated[User, Depends(require(Permission.SCAN))]
OptionalText = Annotated[str | None, Field(max_length=64)]
VISIT_COOKIE = "vc_help_visit"
WAYS = tuple(m.value for m in Method)  # the four leaves, in the clover's order


class HelpForm(BaseModel):
    """One step of the help-scan page (a FastAPI `Form()` model); `title` is the label shown."""

    method: str  # which of the page's forms was sent
    photo: UploadFile | None = Field(default=None, title="Photo of the ID card")
    card_number: OptionalText = Field(default=None, title="Citizen card number")
    id_number: OptionalText = Field(default=None, title="ID number")
    name: OptionalText = Field(default=None, title="Name")


def _visit_path(token: str) -> str:
    return f"/help/{token}"


def _set_visit(response: Response, state: StateDep, token: str, visit: Visit) -> Response:
    response.set_cookie(VISIT_COOKIE, dump_visit(state.secret, visit), max_age=VISIT_MAX_AGE,
                        path=_visit_path(token), httponly=True, samesite="lax",
                        secure=state.settings.public_url.startswith("https://"))
    return response


def _cookie_visit(request: Request, state: StateDep, helper: User, token: str,
                  strict: bool) -> Visit:
    """The visit in this browser's cookie. A page view starts afresh from an expired or
    another account's cookie; a post is refused instead (`strict`), so nobody is added to
    a visit that is not theirs or that has run out."""
    raw = request.cookies.get(VISIT_COOKIE)
    try:
        return load_visit(state.secret, raw, helper.id, token)
    except DomainError:
        if strict:
            raise
        return Visit(helper.id, token)


def _shown_rows(visit: Visit, locale: str) -> list[dict[str, Any]]:
    """The rows with their reasons worded about the helped person, in today's language."""
    shown = []
    for row in visit.rows:
        reasons = [helped_message(code, details, locale) for code, details in row["reasons"]]
        shown.append({**row, "reasons": reasons})
    return shown


def _page(request: Request, state: StateDep, session: SessionDep, helper: User, token: str,
          resolved: ResolvedCode, visit: Visit, locale: str, error: str | None = None,
          confirm: IdCardReadingOut | None = None, way: str | None = None,
          status_code: int = 200) -> Response:
    context: dict[str, Any] = {
        "token": token, "venue": resolved.venue, "sub_area": resolved.sub_area,
        "rows": _shown_rows(visit, locale), "error": error, "confirm": confirm,
        "max_persons": MAX_PER_VISIT, "ways": WAYS, "way": way if way in WAYS else None,
        "count": helped_today(session, state.settings, helper.id, clock.now()),
    }
    response = render(request, "assist/help.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # not re-viewable from the history
    return response


@router.get("/help/{token}", response_class=HTMLResponse)
def help_start(token: str, request: Request, user: Helper, session: SessionDep,
               state: StateDep, locale: LocaleDep, start: bool = False,
               way: str | None = None) -> Response:
    """The visit in progress. After 完成 the page is closed: Back leads to the venue page,
    and only `?start=1` (the scan result's 帮扫 button) begins a new visit. A visit not yet
    finished goes on, also from that button (Back to it must not drop the list)."""
    helper = bound(user)
    resolved = resolve_code(session, state.signer, token)
    visit = _cookie_visit(request, state, helper, token, strict=False)
    if visit.finished and start:
        visit = Visit(helper.id, token)
    elif visit.finished:
        return RedirectResponse(f"/s/{token}", status_code=303)
    response = _page(request, state, session, helper, token, resolved, visit, locale, way=way)
    if start:
        _set_visit(response, state, token, visit)
    return response


@router.post("/help/{token}", response_class=HTMLResponse)
def help_add(token: str, request: Request, user: Helper, session: SessionDep, state: StateDep,
             locale: LocaleDep, reader: IdReaderDep,
             form: Annotated[HelpForm, Form()]) -> Response:
    method, photo = form.method, form.photo
    card_number, id_number, name = form.card_number, form.id_number, form.name
    helper = bound(user)
    resolved = resolve_code(session, state.signer, token)
    now = clock.now()
    try:
        current = _cookie_visit(request, state, helper, token, strict=True)
        if current.finished:  # a form left open in another tab after 完成: a new visit
            current = Visit(helper.id, token)
        if method == Method.ID_PHOTO and photo is not None and photo.filename:
            # Step one of the photo method: show what was read, check in nobody yet.
            reading = read_id_card(read_photo(photo), reader, today=now.date())
            record(session, actor_of(helper, request), AuditAction.ID_CARD_READ, "person",
                   reading.id_number or "unread", problems=reading.problems)
            session.commit()
            return _page(request, state, session, helper, token, resolved, current, locale,
                         confirm=reading_out(reading, locale), way=Method.ID_PHOTO.value)
        qr_text = None
        if method == Method.HEALTH_CODE_QR and photo is not None and photo.filename:
            qr_text = decode_qr(read_photo(photo))
        try:
            person = HelpPersonIn(method=Method(method), card_number=card_number,
                                  id_number=id_number, name=name, qr_text=qr_text)
        except ValueError:
            raise InvalidInput("method_unknown", "未知的帮扫方式。", "Unknown help-scan method.") from None
        identity = helper_identity(session, state.limiter, actor_of(helper, request), helper.id,
                                   paper_key(state), person, now.date())
        digest = person_digest(state.secret, identity.id_number)
        check_visit(identity, helper, current.digests, digest)
        helped = help_person(session, state.settings, state.limiter, actor_of(helper, request),
                             helper, resolved.venue, resolved.sub_area, identity, now)
        session.commit()
    except DomainError as exc:
        settle(session, exc)
        visit = _cookie_visit(request, state, helper, token, strict=False)
        return _page(request, state, session, helper, token, resolved, visit, locale,
                     error=exc.message(locale), way=method, status_code=exc.status)
    current.digests.append(digest)
    row = helped_row(helped)
    current.rows.append(row)
    # The same way again for the next person (families come with the same cards), and the
    # page opens at that form.
    response = RedirectResponse(f"/help/{token}?way={identity.method.value}#help-next",
                                status_code=303)
    flash(request, response, "help_added", name=row["name"] or mask_id_number(identity.id_number))
    return _set_visit(response, state, token, current)


@router.post("/help/{token}/done")
def help_done(token: str, request: Request, user: Helper, session: SessionDep,
              state: StateDep) -> Response:
    """完成: the visit is closed (its rows dropped); Back from here leads to the venue page."""
    helper = bound(user)
    resolve_code(session, state.signer, token)
    visit = _cookie_visit(request, state, helper, token, strict=False)
    helped = len(visit.rows)
    response = flash(request, RedirectResponse("/", status_code=303), "help_done", n=helped)
    return _set_visit(response, state, token, Visit(helper.id, token, finished=True))
