"""Staff routes: a venue's entries today (masked, live) and a district's volumes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import Permission, Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor, record
from venuecode.errors import PermissionDenied
from venuecode.msgid import N_
from venuecode.people.models import User
from venuecode.scans.views import district_day, hour_chart_svg, venue_day
from venuecode.venues.access import ensure_can_manage
from venuecode.venues.service import get_venue
from venuecode.web.deps import SessionDep, StateDep, actor_of, require, writes
from venuecode.web.i18n import request_locale, translations
from venuecode.web.params import Day
from venuecode.web.templating import render
from venuecode.web.words import words, words_list

router = APIRouter(tags=["staff"])
EntryViewer = Annotated[User, Depends(require(Permission.VENUE_VIEW_ENTRIES))]
DistrictViewer = Annotated[User, Depends(require(Permission.DISTRICT_VIEW))]
AUDIT_COALESCE = timedelta(minutes=10)


def audit_view(session: Session, actor: Actor, venue_id: str) -> None:
    """Audit the look at personal data; a live screen polling every few seconds is one look
    per ten minutes, not thousands of events."""
    recent = session.scalar(
        select(AuditEvent.id).where(AuditEvent.actor == actor.label,
                                    AuditEvent.action == AuditAction.VENUE_VIEWED_ENTRIES.value,
                                    AuditEvent.subject_id == venue_id,
                                    AuditEvent.at >= clock.now() - AUDIT_COALESCE).limit(1))
    if recent is None:
        record(session, actor, AuditAction.VENUE_VIEWED_ENTRIES, "venue", venue_id)


def _day(value: date | None, state: StateDep) -> date:
    if value:
        return value
    return clock.now().astimezone(state.settings.tz).date()


@router.get("/api/v1/venues/{venue_id}/entries")
@writes  # audited read
def venue_entries(venue_id: str, request: Request, user: EntryViewer, session: SessionDep,
                  state: StateDep,
                  day: Annotated[Day | None, Query()] = None,
                  ) -> dict[str, Any]:
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    counts, rows = venue_day(session, venue, _day(day, state), state.settings.tz)
    locale = request_locale(request)
    audit_view(session, actor_of(user, request), venue.venue_id)
    session.commit()
    return {"venue_id": venue.venue_id, "counts": counts, "rows": [
        {"at": r.at.isoformat(), "name": r.name, "id_number": r.id_number, "sub_area": r.sub_area,
         "decision": r.decision, "color": r.color, "reasons": r.reasons,
         # The codes in the reader's words, for the page (web/words.py).
         "color_name": words("color", r.color, locale),
         "reason_names": words_list("reason", r.reasons, locale)} for r in rows]}


@router.get("/manage/venues/{venue_id}/entries", response_class=HTMLResponse,
            include_in_schema=False)
def venue_entries_page(venue_id: str, request: Request, user: EntryViewer,
                       session: SessionDep) -> HTMLResponse:
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    return render(request, "scans/entries.html", {"venue": venue})


def _district_of(user: User, district: str | None) -> str:
    if user.role == Role.SYSTEM_ADMIN and district:
        return district
    if user.district:
        if district and district != user.district:
            raise PermissionDenied("district_out_of_scope", "只能查看本区县的数据。",
                                   "You can only see your own district.")
        return user.district
    raise PermissionDenied("district_required", "请指定区县。", "Name a district (?district=).")


@router.get("/api/v1/district/volumes")
def district_volumes(user: DistrictViewer, session: SessionDep, state: StateDep,
                     district: str | None = None,
                     day: Annotated[Day | None, Query()] = None,
                     ) -> dict[str, Any]:
    name = _district_of(user, district)
    volumes, hours = district_day(session, name, _day(day, state), state.settings.tz)
    return {"district": name, "hours": hours, "venues": [v.__dict__ for v in volumes]}


@router.get("/admin/district", response_class=HTMLResponse, include_in_schema=False)
def district_page(request: Request, user: DistrictViewer, session: SessionDep, state: StateDep,
                  district: str | None = None,
                  day: Annotated[Day | None, Query()] = None) -> HTMLResponse:
    name = _district_of(user, district)
    the_day = _day(day, state)
    volumes, hours = district_day(session, name, the_day, state.settings.tz)
    label = translations(request_locale(request)).gettext(N_("Entries per hour"))
    return render(request, "scans/district.html", {
        "district": name, "day": the_day, "volumes": volumes, "total": sum(hours),
        # Built from integers and the label, which the chart escapes.
        "chart": Markup(hour_chart_svg(hours, label=label)),  # noqa: S704
        "now": datetime.now(state.settings.tz),
    })
