"""POST /api/v1/scans (the hot path), exit scans, and the citizen's own history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from venuecode import clock
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.present import scan_result
from venuecode.scans.schemas import ExitRequest, ScanHistoryItem, ScanRequest, ScanResult
from venuecode.scans.service import exit_scan, scan
from venuecode.venues.models import Venue
from venuecode.web.deps import CurrentUser, LocaleDep, SessionDep, StateDep

router = APIRouter(prefix="/api/v1", tags=["scans"])


@router.post("/scans", status_code=201)
def post_scan(body: ScanRequest, user: CurrentUser, session: SessionDep, state: StateDep,
              locale: LocaleDep) -> ScanResult:
    outcome = scan(session, state.settings, state.signer, user.id_number, user.real_name,
                   body.venue_code, clock.now(), flood_key=f"user:{user.id}")
    session.commit()
    return scan_result(outcome, locale)


@router.post("/scans/exit")
def post_exit(body: ExitRequest, user: CurrentUser, session: SessionDep,
              state: StateDep) -> dict[str, str | int]:
    entry = exit_scan(session, state.signer, user.id_number, body.venue_code, clock.now())
    session.commit()
    assert entry.checked_out_at is not None
    return {"id": entry.id, "checked_out_at": entry.checked_out_at.isoformat()}


@router.get("/me/scans")
def my_scans(user: CurrentUser, session: SessionDep,
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ScanHistoryItem]:
    """The citizen's own entries and denied attempts, newest first."""
    if user.id_number is None:
        return []
    entries = session.execute(
        select(Checkin.id, Venue.venue_id, Venue.name, Checkin.scanned_at, Checkin.checked_out_at)
        .join(Venue, Venue.id == Checkin.venue_pk)
        .where(Checkin.id_number == user.id_number)
        .order_by(Checkin.scanned_at.desc()).limit(limit)
    ).all()
    denied = session.execute(
        select(DeniedAttempt.id, Venue.venue_id, Venue.name, DeniedAttempt.attempted_at,
               DeniedAttempt.reasons)
        .join(Venue, Venue.id == DeniedAttempt.venue_pk)
        .where(DeniedAttempt.id_number == user.id_number)
        .order_by(DeniedAttempt.attempted_at.desc()).limit(limit)
    ).all()
    items = [ScanHistoryItem(id=e.id, decision="pass", venue_id=e.venue_id, venue_name=e.name,
                             scanned_at=e.scanned_at.isoformat(),
                             checked_out_at=e.checked_out_at.isoformat()
                             if e.checked_out_at else None, reasons=[])
             for e in entries]
    items += [ScanHistoryItem(id=d.id, decision="deny", venue_id=d.venue_id, venue_name=d.name,
                              scanned_at=d.attempted_at.isoformat(), checked_out_at=None,
                              reasons=[r for r in d.reasons.split(",") if r])
              for d in denied]
    items.sort(key=lambda i: i.scanned_at, reverse=True)
    return items[:limit]
