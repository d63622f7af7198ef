"""Venue JSON API under /api/v1/venues."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from venuecode.access.roles import Permission
from venuecode.people.models import User
from venuecode.venues import service
from venuecode.venues.access import ensure_can_manage, visible_venues
from venuecode.venues.posters_service import MEDIA_TYPES, venue_poster
from venuecode.venues.schemas import ReviewOut, ReviewReason, VenueApplication, VenueOut
from venuecode.web.deps import CurrentUser, LocaleDep, SessionDep, StateDep, actor_of, require
from venuecode.web.params import ObjectId

router = APIRouter(prefix="/api/v1/venues", tags=["venues"])
Applicant = Annotated[User, Depends(require(Permission.VENUE_APPLY))]
Approver = Annotated[User, Depends(require(Permission.VENUE_APPROVE))]


@router.post("", status_code=201)
def apply(body: VenueApplication, request: Request, user: Applicant, session: SessionDep,
          state: StateDep, locale: LocaleDep) -> VenueOut:
    venue = service.apply_for_venue(session, actor_of(user, request), body, user.id,
                                    state.settings.districts)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.get("")
def list_venues(user: CurrentUser, session: SessionDep, state: StateDep, locale: LocaleDep,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[VenueOut]:
    venues = session.scalars(visible_venues(user).limit(limit)).all()
    return [service.to_out(state.signer, v, locale) for v in venues]


@router.get("/{venue_id}")
def get_venue(venue_id: str, user: CurrentUser, session: SessionDep, state: StateDep,
              locale: LocaleDep) -> VenueOut:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return service.to_out(state.signer, venue, locale)


@router.put("/{venue_id}/application")
def resubmit(venue_id: str, body: VenueApplication, request: Request, user: Applicant,
             session: SessionDep, state: StateDep, locale: LocaleDep) -> VenueOut:
    """A rejected application, corrected and sent again (409 in any other status)."""
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    service.resubmit_application(session, actor_of(user, request), venue, body,
                                 state.settings.districts)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.get("/{venue_id}/reviews")
def reviews(venue_id: str, user: CurrentUser, session: SessionDep) -> list[ReviewOut]:
    """The application's history: every submission (with what was sent) and decision."""
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return service.review_history(session, venue)


@router.post("/{venue_id}/approve")
def approve(venue_id: str, request: Request, user: Approver, session: SessionDep,
            state: StateDep, locale: LocaleDep) -> VenueOut:
    venue = service.get_venue(session, venue_id)
    service.approve_venue(session, actor_of(user, request), venue, user.district)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.post("/{venue_id}/reject")
def reject(venue_id: str, body: ReviewReason, request: Request, user: Approver,
           session: SessionDep, state: StateDep, locale: LocaleDep) -> VenueOut:
    venue = service.get_venue(session, venue_id)
    service.reject_venue(session, actor_of(user, request), venue, body.reason, user.district)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.post("/{venue_id}/revoke")
def revoke(venue_id: str, body: ReviewReason, request: Request, user: Approver,
           session: SessionDep, state: StateDep, locale: LocaleDep) -> VenueOut:
    venue = service.get_venue(session, venue_id)
    service.revoke_venue(session, actor_of(user, request), venue, body.reason, user.district)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.post("/{venue_id}/reissue")
def reissue(venue_id: str, request: Request, user: CurrentUser, session: SessionDep,
            state: StateDep, locale: LocaleDep) -> VenueOut:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    service.reissue_code(session, actor_of(user, request), venue)
    session.commit()
    return service.to_out(state.signer, venue, locale)


@router.get("/{venue_id}/poster.{fmt}")
def poster(venue_id: str, fmt: Literal["png", "svg", "pdf"], user: CurrentUser,
           session: SessionDep, state: StateDep, locale: LocaleDep,
           sub_area: ObjectId | None = None) -> Response:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    data = venue_poster(state.settings, state.signer, venue, fmt, locale, sub_area)
    filename = f"venue-code-{venue.venue_id}.{fmt}"
    return Response(data, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
