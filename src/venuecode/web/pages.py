"""Home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from venuecode.access.roles import Permission, has_permission
from venuecode.web.deps import OptionalUser
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser, signed_out: str | None = None) -> HTMLResponse:
    # After "sign out everywhere" (`POST /logout-all`): say it worked.
    everywhere = user is None and signed_out == "everywhere"
    links = []
    if user is not None:
        role = user.role
        if has_permission(role, Permission.VENUE_APPLY):
            links.append(("/manage/venues", "My venues"))
        if has_permission(role, Permission.VENUE_APPROVE):
            links.append(("/admin/venues", "Approve venue codes"))
        # Without a district of their own (a system admin) the page needs ?district=.
        if has_permission(role, Permission.DISTRICT_VIEW) and user.district:
            links.append(("/admin/district", "District scan volumes"))
        if has_permission(role, Permission.INGEST_UPLOAD):
            links.append(("/admin/ingest", "Import data"))
        links += [("/tracing", "Contact tracing")] if has_permission(role, Permission.TRACE_RUN) else []
        if has_permission(role, Permission.ACCOUNTS_MANAGE):
            links.append(("/admin/console", "Operator console"))
        links.append(("/me/scans", "My scans"))
        links.append(("/me/identity", "Real-name verification"))
        links.append(("/me/access-log", "Who used my data"))
        links.append(("/assist/paper-codes", "Paper health codes"))
    return render(request, "home.html", {"user": user, "links": links,
                                         "signed_out_everywhere": everywhere})
