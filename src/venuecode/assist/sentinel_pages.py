"""The venue's gate device page (数字哨兵) and the district admins' help-scan alerts page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from venuecode.access.roles import Permission
from venuecode.assist.service import ALERT_DISTINCT_PER_DAY, alerts_for
from venuecode.assist.status import sentinel_venue
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record
from venuecode.people.models import User
from venuecode.web.deps import CurrentUser, SessionDep, actor_of, require, writes
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
DistrictViewer = Annotated[User, Depends(require(Permission.DISTRICT_VIEW))]


@router.get("/sentinel/{venue_id}", response_class=HTMLResponse)
def sentinel_page(venue_id: str, request: Request, user: CurrentUser,
                  session: SessionDep) -> Response:
    venue = sentinel_venue(session, user, venue_id)
    return render(request, "assist/sentinel.html", {"venue": venue})


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
