"""Venue manager and district admin pages.

After an action a page redirects with a flash message (`web.flash`): the next page says
in words that it worked.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select

from venuecode.access.roles import Permission
from venuecode.audit.words import role_words
from venuecode.categories import categories
from venuecode.errors import DomainError, NotFound
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
DECISIONS = ("approve", "reject", "revoke")


def _form_errors(exc: ValidationError, locale: str) -> list[str]:
    """One line per field, named by its label on the form, not by its API name."""
    return describe(exc.errors(), model_titles(VenueApplicationForm), locale)


def _form_context(user: User, state: StateDep, form: dict[str, Any], errors: list[str],
                  action: str, venue_id: str | None = None) -> dict[str, Any]:
    return {"user": user, "errors": errors, "form": form, "action": action,
            "venue_id": venue_id, "categories": categories().values(),
            "districts": state.settings.districts}




@router.get("/manage/venues", response_class=HTMLResponse)
def my_venues(request: Request, user: Applicant, session: SessionDep, state: StateDep,
              locale: LocaleDep) -> HTMLResponse:
    venues = session.scalars(visible_venues(user).limit(200)).all()
    rows = [service.to_out(state.signer, v, locale) for v in venues]
    return render(request, "venues/list.html", {"user": user, "venues": rows})


@router.get("/manage/venues/new", response_class=HTMLResponse)
def apply_form(request: Request, user: Applicant, state: StateDep) -> HTMLResponse:
    return render(request, "venues/apply.html",
                  _form_context(user, state, {}, [], "/manage/venues/new"))


@router.post("/manage/venues/new", response_class=HTMLResponse)
def apply_submit(request: Request, user: Applicant, session: SessionDep, state: StateDep,
                 locale: LocaleDep, fields: Annotated[VenueApplicationForm, Form()]) -> Response:
    form = fields.model_dump()  # what the person typed, shown again beside any error
    try:
        application = VenueApplication.model_validate(fields.application())
        venue = service.apply_for_venue(session, actor_of(user, request), application, user.id,
                                        state.settings.districts)
        session.commit()
    except ValidationError as exc:
        return render(request, "venues/apply.html", _form_context(
            user, state, form, _form_errors(exc, locale), "/manage/venues/new"), status_code=422)
    except DomainError as exc:
        return render(request, "venues/apply.html", _form_context(
            user, state, form, [exc.message(locale)], "/manage/venues/new"),
            status_code=exc.status)
    return flash(request, RedirectResponse(f"/manage/venues/{venue.venue_id}", status_code=303),
                 "venue_applied")


@router.get("/manage/venues/{venue_id}", response_class=HTMLResponse)
def venue_detail(venue_id: str, request: Request, user: Applicant, session: SessionDep,
                 state: StateDep, locale: LocaleDep) -> HTMLResponse:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return render(request, "venues/detail.html", {
        "user": user, "venue": service.to_out(state.signer, venue, locale),
        "history": service.review_history(session, venue), "role_words": role_words})


def _editable(session: SessionDep, user: User, venue_id: str) -> Venue:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return venue


@router.get("/manage/venues/{venue_id}/edit", response_class=HTMLResponse)
def edit_form(venue_id: str, request: Request, user: Applicant, session: SessionDep,
              state: StateDep, locale: LocaleDep) -> Response:
    venue = _editable(session, user, venue_id)
    if venue.status != VenueStatus.REJECTED:
        return RedirectResponse(f"/manage/venues/{venue_id}", status_code=303)
    out = service.to_out(state.signer, venue, locale)
    context = _form_context(user, state, VenueApplicationForm.of(out).model_dump(), [],
                            f"/manage/venues/{venue_id}/edit", venue_id)
    context["rejection_reason"] = venue.rejection_reason
    return render(request, "venues/apply.html", context)


@router.post("/manage/venues/{venue_id}/edit", response_class=HTMLResponse)
def edit_submit(venue_id: str, request: Request, user: Applicant, session: SessionDep,
                state: StateDep, locale: LocaleDep,
                fields: Annotated[VenueApplicationForm, Form()]) -> Response:
    venue = _editable(session, user, venue_id)
    form = fields.model_dump()
    action = f"/manage/venues/{venue_id}/edit"
    try:
        application = VenueApplication.model_validate(fields.application())
        service.resubmit_application(session, actor_of(user, request), venue, application,
                                     state.settings.districts)
        session.commit()
    except ValidationError as exc:
        session.rollback()
        return render(request, "venues/apply.html", _form_context(
            user, state, form, _form_errors(exc, locale), action, venue_id), status_code=422)
    except DomainError as exc:
        session.rollback()
        return render(request, "venues/apply.html", _form_context(
            user, state, form, [exc.message(locale)], action, venue_id), status_code=exc.status)
    return flash(request, RedirectResponse(f"/manage/venues/{venue_id}", status_code=303),
                 "venue_resubmitted")


@router.post("/manage/venues/{venue_id}/reissue")
def venue_reissue(venue_id: str, request: Request, user: Applicant,
                  session: SessionDep) -> Response:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    service.reissue_code(session, actor_of(user, request), venue)
    session.commit()
    return flash(request, RedirectResponse(f"/manage/venues/{venue_id}", status_code=303),
                 "venue_code_reissued")


def _queue(request: Request, user: User, session: SessionDep, state: StateDep, locale: str,
           status: str, error: str = "", status_code: int = 200) -> HTMLResponse:
    if status not in {s.value for s in VenueStatus}:
        status = VenueStatus.APPLIED.value
    query = visible_venues(user).where(Venue.status == status)
    venues = session.scalars(query.limit(200)).all()
    counts: dict[str, int] = {status: n for status, n in session.execute(
        select(Venue.status, func.count(Venue.id))
        .where(Venue.id.in_(visible_venues(user).with_only_columns(Venue.id)))
        .group_by(Venue.status))}
    rows = [service.to_out(state.signer, v, locale) for v in venues]
    return render(request, "venues/admin.html", {
        "user": user, "venues": rows, "status": status, "counts": counts,
        "statuses": [s.value for s in VenueStatus], "error": error,
    }, status_code=status_code)


@router.get("/admin/venues", response_class=HTMLResponse)
def admin_queue(request: Request, user: Approver, session: SessionDep, state: StateDep,
                locale: LocaleDep, status: str = VenueStatus.APPLIED.value) -> HTMLResponse:
    return _queue(request, user, session, state, locale, status)


@router.post("/admin/venues/{venue_id}/{action}")
def admin_decide(venue_id: str, action: str, request: Request, user: Approver,
                 session: SessionDep, state: StateDep, locale: LocaleDep,
                 form: Annotated[DecisionForm, Form()]) -> Response:
    if action not in DECISIONS:
        raise NotFound("action_unknown", "没有该操作。", f"There is no action {action!r}.")
    venue = service.get_venue(session, venue_id)
    back = venue.status  # the tab the decision was taken on
    actor = actor_of(user, request)
    try:
        if action == "approve":
            service.approve_venue(session, actor, venue, user.district)
        elif action == "reject":
            service.reject_venue(session, actor, venue, form.reason, user.district)
        else:
            service.revoke_venue(session, actor, venue, form.reason, user.district)
    except DomainError as exc:
        if exc.status == 403:
            raise
        session.rollback()
        return _queue(request, user, session, state, locale, back, exc.message(locale),
                      exc.status)
    session.commit()
    done = {"approve": "venue_approved", "reject": "venue_rejected", "revoke": "venue_revoked"}
    return flash(request, RedirectResponse(f"/admin/venues?status={back}", status_code=303),
                 done[action])
