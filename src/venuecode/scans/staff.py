"""Staff routes: a venue's entries of a day (masked; live for today; exported as CSV or
XLSX) and a district's volumes of a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import Permission, Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor, record
from venuecode.errors import InvalidInput, PermissionDenied
from venuecode.people.models import User
from venuecode.scans import export
from venuecode.scans.views import ChartLabels, district_day, hour_chart_svg, venue_day
from venuecode.scans.words import words_for
from venuecode.venues.access import ensure_can_manage
from venuecode.venues.service import get_venue
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require, writes
from venuecode.web.i18n import translations
from venuecode.web.params import Day
from venuecode.web.templating import render

router = APIRouter(tags=["staff"])
EntryViewer = Annotated[User, Depends(require(Permission.VENUE_VIEW_ENTRIES))]
DistrictViewer = Annotated[User, Depends(require(Permission.DISTRICT_VIEW))]
AUDIT_COALESCE = timedelta(minutes=10)
DAY: TypeAdapter[date] = TypeAdapter(Day)


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


def _today(state: StateDep) -> date:
    return clock.now().astimezone(state.settings.tz).date()


def _day(value: date | None, state: StateDep) -> date:
    return value or _today(state)


def page_day(value: str | None, state: StateDep, locale: str) -> tuple[date, date, str]:
    """A page's `?day=` (the date picker): the day, today, and what is wrong with the value
    in the page's language, naming the field (then the page shows today under the message,
    with a 422)."""
    today = _today(state)
    if not value:
        return today, today, ""
    try:
        day = DAY.validate_python(value)
    except ValidationError:
        problem = (f"日期：“{value[:20]}”不是有效日期，请用日期选择器选择（如 {today.isoformat()}）。"
                   if locale == "zh" else
                   f"Date: {value[:20]!r} is not a valid date; pick one (e.g. {today.isoformat()}).")
        return today, today, problem
    return day, today, ""


@router.get("/api/v1/venues/{venue_id}/entries")
@writes  # audited read
def venue_entries(venue_id: str, request: Request, user: EntryViewer, session: SessionDep,
                  state: StateDep,
                  day: Annotated[Day | None, Query()] = None,
                  ) -> dict[str, Any]:
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    counts, rows = venue_day(session, venue, _day(day, state), state.settings.tz)
    audit_view(session, actor_of(user, request), venue.venue_id)
    session.commit()
    return {"venue_id": venue.venue_id, "day": _day(day, state).isoformat(), "counts": counts,
            "rows": [
        {"at": r.at.isoformat(), "local_time": r.at.astimezone(state.settings.tz).strftime("%H:%M:%S"),
         "name": r.name, "id_number": r.id_number, "sub_area": r.sub_area,
         "channel": r.channel, "decision": r.decision, "color": r.color, "reasons": r.reasons}
        for r in rows]}


@router.get("/api/v1/venues/{venue_id}/entries/export.{fmt}")
@writes  # audited read
def venue_entries_export(venue_id: str, fmt: str, request: Request,
                         user: EntryViewer, session: SessionDep, state: StateDep,
                         locale: LocaleDep, day: Annotated[Day | None, Query()] = None,
                         ) -> StreamingResponse:
    """Every entry and denial of the day as CSV or XLSX, masked, formula-safe, streamed;
    audited as `venue.entries_exported` with each person in it."""
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    if fmt not in export.MEDIA_TYPES:
        raise InvalidInput("invalid_format", "导出格式：须为 csv 或 xlsx。",
                           f"Export format: csv or xlsx, not {fmt[:20]!r}.", field="fmt")
    the_day = _day(day, state)
    tz = state.settings.tz
    export.audit_export(session, actor_of(user, request), venue, the_day, tz, fmt)
    session.commit()  # the audit event is stored before a byte of the file is sent
    body = export.stream(session, venue, the_day, tz, locale,
                         export.exported_by(user.real_name, user.id), fmt)
    name = export.filename(venue, the_day, fmt)
    return StreamingResponse(body, media_type=export.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/manage/venues/{venue_id}/entries", response_class=HTMLResponse,
            include_in_schema=False)
def venue_entries_page(venue_id: str, request: Request, user: EntryViewer,
                       session: SessionDep, state: StateDep, locale: LocaleDep,
                       day: str | None = None) -> HTMLResponse:
    venue = get_venue(session, venue_id)
    ensure_can_manage(user, venue)
    the_day, today, error = page_day(day, state, locale)
    return render(request, "scans/entries.html", {
        "venue": venue, "day": the_day, "today": today, "is_today": the_day == today,
        "previous": the_day - timedelta(days=1), "next": the_day + timedelta(days=1),
        "error": error, "words": words_for(locale)}, status_code=422 if error else 200)


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
                  locale: LocaleDep, district: str | None = None,
                  day: str | None = None) -> HTMLResponse:
    name = _district_of(user, district)
    the_day, today, error = page_day(day, state, locale)
    volumes, hours = district_day(session, name, the_day, state.settings.tz)
    tr = translations(locale)
    labels = ChartLabels(tr.gettext("Entries per hour"), tr.gettext("Hour (local time)"),
                         tr.gettext("Entries"))
    return render(request, "scans/district.html", {
        "district": name, "day": the_day, "today": today, "is_today": the_day == today,
        "volumes": volumes, "total": sum(hours), "hours": hours,
        "denied_total": sum(v.denied for v in volumes),
        # Integers and text escaped by hour_chart_svg itself.
        "chart": Markup(hour_chart_svg(hours, labels)),  # noqa: S704
        "now": datetime.now(state.settings.tz),
        "district_param": district if user.role == Role.SYSTEM_ADMIN else None,
        "previous": the_day - timedelta(days=1), "next": the_day + timedelta(days=1),
        "error": error,
    }, status_code=422 if error else 200)
