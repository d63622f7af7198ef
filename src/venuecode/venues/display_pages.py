"""The venue display (动态场所码屏): a full-screen rotating code for a screen or tablet.

The page carries the venue's display key (to its manager only, never to a citizen) and
derives each step's code in the browser (`static/display.js`), so it keeps showing valid
codes without a network. Rotating the key and requiring the rotating code are form posts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from venuecode import clock
from venuecode.errors import NotFound
from venuecode.people.models import User
from venuecode.venues import display, service
from venuecode.venues.access import ensure_can_manage
from venuecode.venues.models import Venue
from venuecode.web.deps import CurrentUser, SessionDep, StateDep, actor_of
from venuecode.web.flash import flash
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
# Signed in, then `ensure_can_manage`: the venue's manager, an admin of its district (who may
# also require the rotating code or rotate a lost tablet's key), or a system admin.
Manager = CurrentUser


class RequiredForm(BaseModel):
    required: bool = False


def _managed(session: SessionDep, user: User, venue_id: str) -> Venue:
    venue = service.get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return venue


@router.get("/manage/venues/{venue_id}/display", response_class=HTMLResponse)
def display_page(venue_id: str, request: Request, user: Manager, session: SessionDep,
                 state: StateDep, area: int | None = None) -> Response:
    venue = _managed(session, user, venue_id)
    sub_area = next((a for a in venue.sub_areas if a.id == area), None)
    if area is not None and sub_area is None:
        raise NotFound("sub_area_unknown", "该场所没有这个区域。", "The venue has no such sub-area.")
    signer = state.signer
    token = (service.venue_token(signer, venue) if sub_area is None
             else service.sub_area_token(signer, venue, sub_area))
    if token is None:
        return RedirectResponse(f"/manage/venues/{venue_id}", status_code=303)
    response = render(request, "venues/display.html", {
        "user": user, "venue": venue, "sub_area": sub_area, "token": token,
        "key": display.key_text(signer.display_key(venue)),
        "base": f"{signer.public_url}/s/", "seconds": signer.display_seconds,
        # The server's code now: shown until the browser has derived its own (and what a
        # browser without WebCrypto, on plain http, keeps showing).
        "first_url": service.display_url(signer, venue, clock.now(), sub_area),
    })
    response.headers["Cache-Control"] = "no-store"  # the page holds the display key
    return response


@router.post("/manage/venues/{venue_id}/display/rotate")
def display_rotate(venue_id: str, request: Request, user: Manager,
                   session: SessionDep) -> Response:
    venue = _managed(session, user, venue_id)
    service.rotate_display_key(session, actor_of(user, request), venue)
    session.commit()
    return flash(request, RedirectResponse(f"/manage/venues/{venue_id}", status_code=303),
                 "display_rotated")


@router.post("/manage/venues/{venue_id}/display/required")
def display_required(venue_id: str, request: Request, user: Manager, session: SessionDep,
                     form: Annotated[RequiredForm, Form()]) -> Response:
    venue = _managed(session, user, venue_id)
    service.set_display_required(session, actor_of(user, request), venue, form.required)
    session.commit()
    done = "display_required" if form.required else "display_optional"
    return flash(request, RedirectResponse(f"/manage/venues/{venue_id}", status_code=303), done)
