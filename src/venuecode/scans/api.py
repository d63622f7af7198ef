"""POST /api/v1/scans (the hot path), exit scans, and the citizen's own history."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from time import perf_counter
from typing import Annotated

import orjson
from fastapi import APIRouter, FastAPI, Query, Request, Response
from sqlalchemy import select

from venuecode import clock
from venuecode.observability.metrics import observe_scan
from venuecode.scans.hotpath import HotPath
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.present import scan_json
from venuecode.scans.schemas import ExitRequest, ScanHistoryItem, ScanRequest, ScanResult
from venuecode.scans.service import admit, exit_scan, record_scan, verify
from venuecode.venues.models import Venue
from venuecode.web.deps import (
    CurrentUser,
    SessionDep,
    StateDep,
    bearer_token,
    check_scan_user,
    get_state,
    scan_claims,
)
from venuecode.web.i18n import request_locale
from venuecode.web.state import AppState
from venuecode.web.words import words_list

router = APIRouter(prefix="/api/v1", tags=["scans"])


def hot_path(app: FastAPI) -> HotPath:
    # Per app (not per module): each app, e.g. each test's, has its own caches.
    hot: HotPath | None = getattr(app.state, "scan_hot_path", None)
    if hot is None:
        hot = HotPath(get_state_of(app).sessionmaker)
        app.state.scan_hot_path = hot
    return hot


def get_state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.venuecode
    return state


def _scan(hot: HotPath, state: AppState, token: str | None, venue_code: str, now: datetime,
          locale: str) -> bytes:
    # All the blocking work in one hop to the scan threads (a sync dependency costs a hop
    # to the shared threadpool each).
    started = perf_counter()
    account = scan_claims(state.secret, token)
    claims, refused = verify(state.signer, venue_code)
    with hot.unit() as connection:
        # Account, venue, facts and repeat check in one select; then the checks in the
        # order of the page path: account, then `admit`'s identity, flood, code.
        read = hot.read(connection, claims, now, state.settings.scan_repeat_minutes,
                        account.user_id, account.jti)
        assert token is not None
        user = check_scan_user(state.secret, token, account, read.user)
        id_number = admit(state.limiter, user.id_number, f"user:{user.id}", refused)
        assert claims is not None
        outcome = record_scan(connection, state.settings, read, read.resolve(claims, state.signer, now),
                              id_number, user.real_name, now, hot.risks)
    observe_scan(outcome.decision.verdict, "api", perf_counter() - started)
    return orjson.dumps(scan_json(outcome, locale, state.proofs, now))


@router.post("/scans", status_code=201, response_model=ScanResult)
async def post_scan(body: ScanRequest, request: Request) -> Response:
    """Check in: 201 with the decision and the 四码一屏 panels (a deny is stored too)."""
    state = get_state(request)
    hot = hot_path(request.app)
    body_json = await asyncio.get_running_loop().run_in_executor(hot.executor, partial(
        _scan, hot, state, bearer_token(request), body.venue_code, clock.now(),
        request_locale(request)))
    return Response(body_json, status_code=201, media_type="application/json")


@router.post("/scans/exit")
def post_exit(body: ExitRequest, user: CurrentUser, session: SessionDep,
              state: StateDep) -> dict[str, str | int]:
    entry = exit_scan(session, state.signer, user.id_number, body.venue_code, clock.now())
    session.commit()
    assert entry.checked_out_at is not None
    return {"id": entry.id, "checked_out_at": entry.checked_out_at.isoformat()}


@router.get("/me/scans")
def my_scans(request: Request, user: CurrentUser, session: SessionDep,
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ScanHistoryItem]:
    """The citizen's own entries and denied attempts, newest first."""
    if user.id_number is None:
        return []
    locale = request_locale(request)
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
                              reasons=codes, reason_names=words_list("reason", codes, locale))
              for d in denied for codes in [[r for r in d.reasons.split(",") if r]]]
    items.sort(key=lambda i: i.scanned_at, reverse=True)
    return items[:limit]
