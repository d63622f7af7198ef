"""HTML routes of help-scan: the stacked 帮扫 page reached from a scan result.

The visit lives in a signed form field (`visit.py`), so every step is a POST that
answers with the whole page; there is deliberately no URL to open the stacked result
again. Paper-code, sentinel and alert pages are in their own modules, included here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
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
from venuecode.assist.visit import Visit, dump_visit, helped_row, load_visit, person_digest
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.errors import DomainError, InvalidInput
from venuecode.msgid import N_
from venuecode.people.models import User
from venuecode.venues.service import ResolvedCode, resolve_code
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(paper_pages.router)
router.include_router(sentinel_pages.router)
Helper = Annotated[User, Depends(require(Permission.SCAN))]
OptionalText = Annotated[str | None, Field(max_length=64)]


class HelpForm(BaseModel):
    """One step of the help-scan page (a FastAPI `Form()` model); `title` is the label shown."""

    method: str  # which of the page's forms was sent
    visit: str = ""  # the signed visit so far (`visit.py`)
    photo: UploadFile | None = Field(default=None, title=N_("Photo of the ID card"))
    card_number: OptionalText = Field(default=None, title=N_("Citizen card number"))
    id_number: OptionalText = Field(default=None, title=N_("ID number"))
    name: OptionalText = Field(default=None, title=N_("Name"))


def _page(request: Request, state: StateDep, session: SessionDep, helper: User, token: str,
          resolved: ResolvedCode, visit: Visit, error: str | None = None,
          confirm: IdCardReadingOut | None = None, status_code: int = 200) -> Response:
    context: dict[str, Any] = {
        "token": token, "venue": resolved.venue, "sub_area": resolved.sub_area,
        "rows": visit.rows, "visit": dump_visit(state.secret, visit), "error": error,
        "confirm": confirm, "max_persons": MAX_PER_VISIT,
        "count": helped_today(session, state.settings, helper.id, clock.now()),
    }
    response = render(request, "assist/help.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # not re-viewable from the history
    return response


@router.get("/help/{token}", response_class=HTMLResponse)
def help_start(token: str, request: Request, user: Helper, session: SessionDep,
               state: StateDep) -> Response:
    helper = bound(user)
    resolved = resolve_code(session, state.signer, token)
    return _page(request, state, session, helper, token, resolved, Visit(helper.id, token))


@router.post("/help/{token}", response_class=HTMLResponse)
def help_add(token: str, request: Request, user: Helper, session: SessionDep, state: StateDep,
             locale: LocaleDep, reader: IdReaderDep,
             form: Annotated[HelpForm, Form()]) -> Response:
    method, visit, photo = form.method, form.visit, form.photo
    card_number, id_number, name = form.card_number, form.id_number, form.name
    helper = bound(user)
    resolved = resolve_code(session, state.signer, token)
    current = load_visit(state.secret, visit, helper.id, token)
    now = clock.now()
    try:
        if method == Method.ID_PHOTO and photo is not None and photo.filename:
            # Step one of the photo method: show what was read, check in nobody yet.
            reading = read_id_card(read_photo(photo), reader, today=now.date())
            record(session, actor_of(helper, request), AuditAction.ID_CARD_READ, "person",
                   reading.id_number or "unread", problems=reading.problems)
            session.commit()
            return _page(request, state, session, helper, token, resolved, current,
                         confirm=reading_out(reading, locale))
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
        return _page(request, state, session, helper, token, resolved, current,
                     error=exc.message(locale), status_code=exc.status)
    current.digests.append(digest)
    current.rows.append(helped_row(helped, locale))
    return _page(request, state, session, helper, token, resolved, current)
