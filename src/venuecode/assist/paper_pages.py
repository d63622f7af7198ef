"""Pages for paper health codes: apply / reissue / revoke, and the staff look-up `/h/{token}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from venuecode import clock
from venuecode.access.roles import Permission
from venuecode.assist.deps import paper_key
from venuecode.assist.flow import card_response
from venuecode.assist.identify import Method, by_number_and_name, guarded, settle
from venuecode.assist.paper_access import reissue_checked, revoke_checked
from venuecode.assist.paper_codes import issue_paper_code
from venuecode.assist.schemas import PaperCodeForm
from venuecode.assist.status import paper_code_status, require_staff
from venuecode.errors import DomainError
from venuecode.people.models import User
from venuecode.scans.service import IdentityRequired
from venuecode.web.deps import CurrentUser, LocaleDep, SessionDep, StateDep, actor_of, require, writes
from venuecode.web.flash import flash
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Applicant = Annotated[User, Depends(require(Permission.SCAN))]


@router.get("/assist/paper-codes", response_class=HTMLResponse)
def paper_form(request: Request, user: Applicant) -> Response:
    return render(request, "assist/paper_codes.html", {"error": None})


@router.post("/assist/paper-codes", response_class=HTMLResponse)
def paper_submit(request: Request, user: Applicant, session: SessionDep, state: StateDep,
                 locale: LocaleDep, form: Annotated[PaperCodeForm, Form()]) -> Response:
    action, id_number, name = form.action, form.id_number, form.name
    now = clock.now()
    try:
        if user.id_number is None:
            raise IdentityRequired()
        actor = actor_of(user, request)
        if action == "revoke":
            revoke_checked(session, state.limiter, actor, user, id_number, name, now)
            session.commit()
            # Post, redirect, get: the flash says it worked, Back and reload send nothing.
            return flash(request, RedirectResponse("/assist/paper-codes", status_code=303),
                         "paper_code_revoked")
        identity = guarded(state.limiter, actor, user.id, "paper_code",
                           lambda: by_number_and_name(session, id_number, name, Method.ID_TYPED,
                                                      now.date()), id_number)
        if action == "reissue":
            code = reissue_checked(session, actor, user, identity.id_number, now)
        else:
            code = issue_paper_code(session, actor, user.id, identity.id_number, now)
        response = card_response(paper_key(state), code, identity.name)
        session.commit()
        return response
    except DomainError as exc:
        settle(session, exc)
        return render(request, "assist/paper_codes.html",
                      {"error": exc.message(locale), "name": name},
                      status_code=exc.status)


@router.get("/h/{token}", response_class=HTMLResponse)
@writes  # audited read
def paper_status_page(token: str, request: Request, user: CurrentUser, session: SessionDep,
                      state: StateDep) -> Response:
    """What staff see when they scan a paper card: the CURRENT colour, large."""
    require_staff(user)
    status = paper_code_status(session, paper_key(state), actor_of(user, request), token)
    session.commit()
    response = render(request, "assist/paper_status.html", {"s": status})
    response.headers["Cache-Control"] = "no-store"
    return response
