"""The venue's gate device page (数字哨兵), its registered devices, and the district
admins' help-scan alerts page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from venuecode import clock
from venuecode.access.roles import Permission, has_permission
from venuecode.assist.gate_devices import (
    MAX_ACTIVE_PER_VENUE,
    issue_device,
    list_devices,
    revoke_device,
)
from venuecode.assist.service import ALERT_DISTINCT_PER_DAY, alerts_for
from venuecode.assist.status import sentinel_venue
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.errors import DomainError
from venuecode.people.models import User
from venuecode.venues.models import Venue, VenueStatus
from venuecode.venues.service import get_venue
from venuecode.web.deps import (
    CurrentUser,
    LocaleDep,
    SessionDep,
    StateDep,
    actor_of,
    require,
    writes,
)
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
DistrictViewer = Annotated[User, Depends(require(Permission.DISTRICT_VIEW))]


@router.get("/sentinel/{venue_id}", response_class=HTMLResponse)
def sentinel_page(venue_id: str, request: Request, user: CurrentUser,
                  session: SessionDep) -> Response:
    venue = sentinel_venue(session, user, venue_id)
    return render(request, "assist/sentinel.html", {"venue": venue})


class GateDeviceForm(BaseModel):
    """Register a gate device: its name (checked by `gate_devices.issue_device`)."""

    label: str = Field(default="", max_length=200, title="Device name")


DeviceId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _devices_page(request: Request, session: SessionDep, state: StateDep, user: User,
                  venue: Venue, status_code: int = 200, **context: object) -> Response:
    devices = list_devices(session, user, venue)
    revoked_id = request.query_params.get("revoked", "")
    revoked = next((d for d in devices if str(d.id) == revoked_id), None)
    is_manager = venue.manager_user_id == user.id and has_permission(user.role,
                                                                       Permission.VENUE_APPLY)
    return render(request, "assist/gate_devices.html", {
        "venue": venue, "devices": devices, "revoked": revoked, "is_manager": is_manager,
        "can_issue": is_manager and venue.status == VenueStatus.APPROVED,
        "offline_hours": state.settings.gate_offline_hours, "limit": MAX_ACTIVE_PER_VENUE,
        "issued": None, "key": None, "errors": [], "label": "", **context},
        status_code=status_code)


@router.get("/manage/venues/{venue_id}/gate-devices", response_class=HTMLResponse)
def gate_devices_page(venue_id: str, request: Request, user: CurrentUser,
                      session: SessionDep, state: StateDep) -> Response:
    """The venue's gate devices: register one (its manager), revoke (manager, district)."""
    return _devices_page(request, session, state, user, get_venue(session, venue_id))


@router.post("/manage/venues/{venue_id}/gate-devices", response_class=HTMLResponse)
def gate_device_issue(venue_id: str, request: Request, user: CurrentUser, session: SessionDep,
                      state: StateDep, locale: LocaleDep,
                      form: Annotated[GateDeviceForm, Form()]) -> Response:
    """The new device's key is on this answer only (no redirect: it is never shown again)."""
    venue = get_venue(session, venue_id)
    try:
        device, key = issue_device(session, actor_of(user, request), user, venue, form.label,
                                   clock.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        session.rollback()
        return _devices_page(request, session, state, user, venue, exc.status,
                             errors=[exc.message(locale)], label=form.label)
    session.commit()
    return _devices_page(request, session, state, user, venue, issued=device, key=key)


@router.post("/manage/venues/{venue_id}/gate-devices/{device_id}/revoke")
def gate_device_revoke(venue_id: str, device_id: DeviceId, request: Request,
                       user: CurrentUser, session: SessionDep) -> Response:
    device = revoke_device(session, actor_of(user, request), user, get_venue(session, venue_id),
                           device_id, clock.now())
    session.commit()
    return RedirectResponse(f"/manage/venues/{venue_id}/gate-devices?revoked={device.id}",
                            status_code=303)


@router.get("/admin/help-alerts", response_class=HTMLResponse)
@writes  # audited read
def help_alerts_page(request: Request, user: DistrictViewer, session: SessionDep) -> Response:
    alerts = alerts_for(session, user)
    # The page names accounts that helped many people: a look at personal data, audited.
    record(session, actor_of(user, request), AuditAction.HELP_ALERTS_VIEWED, "help_alerts",
           user.district or "*", count=len(alerts))
    session.commit()
    return render(request, "assist/help_alerts.html",
                  {"alerts": alerts, "threshold": ALERT_DISTINCT_PER_DAY})
