"""The staff page that verifies a scan result's proof (`/verify`): a guard's phone scans
the QR on a citizen's result page (live camera where the browser can, a photo, or the
pasted text) and sees the verified verdict full screen. Public, as the API it calls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> Response:
    return render(request, "proofs/verify.html", {})
