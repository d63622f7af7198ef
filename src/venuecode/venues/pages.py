"""Venue manager and district admin pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from venuecode.access.roles import Permission
from venuecode.categories import categories
from venuecode.errors import DomainError
from venuecode.people.models import User
from venuecode.venues import service
from venuecode.venues.access import ensure_can_manage, visible_venues
from venuecode.venues.models import Venue, VenueStatus
from venuecode.venues.schemas import DecisionForm, VenueApplication, VenueApplicationForm
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require
from venuecode.web.flash import flash
from venuecode.web.forms import describe, model_titles
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Applicant = Annotated[User, Depends(require(Permission.VENUE_APPLY))]
Approver = Annotated[User, Depends(require(Permission.VENUE_APPROVE))]


def _form_errors(exc: ValidationError, locale: str) -> list[str]:
    """One line per field, named by its label on the form, not by its API name."""
    return describe(exc.errors(), model_titles(VenueApplicationForm), locale)


@router.get("/manage/venues", response_class=HTMLResponse)
def my_venues(request: Request, user: Applicant, session: SessionDep, state: StateDep,
              locale: LocaleDep) -> HTMLResponse:
    venues = session.scalars(visible_venues(user).limit(200)).all()
    rows = [service.to_out(state.signer, v, locale) for v in venues]
    return render(request, "venues/list.html", {"user": user, "venues": rows})


@router.get("/manage/venues/new", response_class=HTMLResponse)
def apply_form(request: Request, user: Applicant, locale: LocaleDep) -> HTMLResponse:
    return render(request, "venues/apply.html", {"user": user, "errors": [], "form": {},
                                                 "categories": categories().values()})


@router.post("/manage/venues/new", response_class=HTMLResponse)
def apply_submit(request: Request, user: Applicant, session: SessionDep, locale: LocaleDep,
                 fields: Annotated[VenueApplicationForm, Form()]) -> Response:
    form = fields.model_dump()  # what the person typed, shown again beside any error
    try:
        application = VenueApplication.model_validate(fields.application())
        venue = service.apply_for_venue(session, actor_of(user, request), application, user.id)
        session.commit()
    except ValidationError as exc:
        return render(request, "venues/apply.html",
                      {"user": user, "errors": _form_errors(exc, locale), "form": form,
                       "categories": categories().values()}, status_code=422)
    except DomainError as exc:
        return render(request, "venues/apply.html",
                      {"user": user, "errors": [exc.message(locale)], "form": form,
                       "categories": categories().values()}, status_code=exc.status)
    return flash(request, RedirectResponse(f"/manage/venues/{venue.venue_id}", status_code=303),
                 "venue_applied")


@router.get("/manage/venues/{venue_id}", response_class=HTMLResponse)
def venue_detail(venue_id: str, request: Request, user: Applicant, session: SessionDep,
                 state: StateDep, locale: LocaleDep) -> HTMLResponse:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return render(request, "venues/detail.html",
                  {"user": user, "venue": service.to_out(state.signer, venue, locale)})


@router.post("/manage/venues/{venue_id}/reissue")
def venue_reissue(venue_id: str, request: Request, user: Applicant,
                  session: SessionDep) -> Response:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    service.reissue_code(session, actor_of(user, request), venue)
    session.commit()
    return flash(request, RedirectResponse(f"/manage/venues/{venue_id}", status_code=303),
                 "venue_code_reissued")


@router.get("/admin/venues", response_class=HTMLResponse)
def admin_queue(request: Request, user: Approver, session: SessionDep, state: StateDep,
                locale: LocaleDep, status: str = VenueStatus.APPLIED.value) -> HTMLResponse:
    query = visible_venues(user)
    if status in {s.value for s in VenueStatus}:
        query = query.where(Venue.status == status)
    venues = session.scalars(query.limit(200)).all()
    rows = [service.to_out(state.signer, v, locale) for v in venues]
    return render(request, "venues/admin.html", {"user": user, "venues": rows, "status": status,
                                                 "statuses": [s.value for s in VenueStatus]})


@router.post("/admin/venues/{venue_id}/{action}")
def admin_decide(venue_id: str, action: str, request: Request, user: Approver,
                 session: SessionDep, form: Annotated[DecisionForm, Form()]) -> Response:
    reason = form.reason
    venue = service.get_venue(session, venue_id)
    actor = actor_of(user, request)
    if action == "approve":
        service.approve_venue(session, actor, venue, user.district)
    elif action == "reject":
        service.reject_venue(session, actor, venue, reason, user.district)
    elif action == "revoke":
        service.revoke_venue(session, actor, venue, reason, user.district)
    else:
        return RedirectResponse("/admin/venues", status_code=303)
    session.commit()
    done = {"approve": "venue_approved", "reject": "venue_rejected", "revoke": "venue_revoked"}
    return flash(request, RedirectResponse("/admin/venues", status_code=303), done[action])
