"""The page a scanned poster opens: sign-in if needed, then the scan and the 四码一屏 result."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from venuecode import clock
from venuecode.proofs.qr import proof_qr_svg
from venuecode.scans import history
from venuecode.scans.present import scan_result
from venuecode.scans.service import exit_scan, scan
from venuecode.venues.service import resolve_code
from venuecode.web.deps import LocaleDep, OptionalUser, SessionDep, StateDep, writes
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)


def _needs_sign_in(path: str, identity: bool) -> Response:
    if not identity:
        return RedirectResponse(f"/me/identity?next={quote(path)}", status_code=303)
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def _do_scan(token: str, request: Request, user: OptionalUser, session: SessionDep,
             state: StateDep, locale: LocaleDep) -> Response:
    assert user is not None
    now = clock.now()
    outcome = scan(session, state.settings, state.signer, user.id_number, user.real_name, token,
                   now, flood_key=f"user:{user.id}", limiter=state.limiter)
    session.commit()
    result = scan_result(outcome, locale, state.proofs, now)
    return render(request, "scans/result.html", {"r": result, "token": token,
                                                 "panels": outcome.decision.panels,
                                                 "proof_qr": proof_qr_svg(result.proof)})


@router.get("/s/{token}", response_class=HTMLResponse)
@writes  # opening the poster's URL is the scan: it records the check-in
def scan_page(token: str, request: Request, user: OptionalUser, session: SessionDep,
              state: StateDep, locale: LocaleDep) -> Response:
    # Refuse a bad code before asking anyone to sign in.
    resolved = resolve_code(session, state.signer, token)
    if user is None:
        return _needs_sign_in(request.url.path, identity=True)
    if user.id_number is None:
        return _needs_sign_in(request.url.path, identity=False)
    # A link followed from another site (not the phone's camera or a typed URL) could check
    # someone in where they never were: ask for one tap instead of recording at once.
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return render(request, "scans/confirm.html", {"venue": resolved.venue,
                                                      "token": token})
    return _do_scan(token, request, user, session, state, locale)


@router.post("/s/{token}", response_class=HTMLResponse)
def scan_confirmed(token: str, request: Request, user: OptionalUser, session: SessionDep,
                   state: StateDep, locale: LocaleDep) -> Response:
    if user is None or user.id_number is None:
        return _needs_sign_in(f"/s/{token}", identity=user is None)
    return _do_scan(token, request, user, session, state, locale)


@router.post("/s/{token}/exit", response_class=HTMLResponse)
def exit_page(token: str, request: Request, user: OptionalUser, session: SessionDep,
              state: StateDep) -> Response:
    if user is None:
        return _needs_sign_in(f"/s/{token}", identity=True)
    entry = exit_scan(session, state.signer, user.id_number, token, clock.now())
    session.commit()
    resolved = resolve_code(session, state.signer, token)
    return render(request, "scans/exit.html", {"venue": resolved.venue, "entry": entry})


@router.get("/me/scans", response_class=HTMLResponse)
def history_page(request: Request, user: OptionalUser, session: SessionDep,
                 page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """The person's own entries and denials, a page at a time (their own data: not audited)."""
    if user is None:
        return _needs_sign_in("/me/scans", identity=True)
    shown = history.history_page(session, user.id_number, page) if user.id_number else None
    return render(request, "scans/history.html", {
        "user": user, "history": shown,
        "numbers": history.page_numbers(shown.page, shown.pages) if shown else []})
