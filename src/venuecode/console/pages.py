"""Operator console: its start page (/admin/console) and the settings in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from venuecode.access.roles import Permission, has_permission
from venuecode.console.settings_view import shown_settings
from venuecode.people.models import User
from venuecode.web.deps import StateDep, require
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Operator = Annotated[User, Depends(require(Permission.ACCOUNTS_MANAGE))]
Viewer = Annotated[User, Depends(require(Permission.SETTINGS_VIEW))]

# (permission, path, title, what it is for); shown to whoever holds the permission.
SECTIONS = (
    (Permission.ACCOUNTS_MANAGE, "/admin/console/accounts", "Accounts",
     "Create staff accounts, deactivate them, reset passwords, sign out everywhere."),
    (Permission.SOURCES_MANAGE, "/admin/console/keys", "Data-source API keys",
     "Keys other departments' systems push data with: create, see last use, revoke."),
    (Permission.AUDIT_VIEW, "/admin/console/audit", "Audit log",
     "Who saw or changed what, and why; search by person, actor, action and time."),
    (Permission.INGEST_UPLOAD, "/admin/ingest", "Import data",
     "Upload a data file from another department."),
    (Permission.INGEST_UPLOAD, "/admin/ingest/batches", "Recent batches",
     "Imports and pushes, with their counts and rejected rows."),
    (Permission.SETTINGS_VIEW, "/admin/console/settings", "Settings in force",
     "This server's configuration, read-only, secrets hidden."),
)


@router.get("/admin/console", response_class=HTMLResponse)
def console_home(request: Request, user: Operator) -> HTMLResponse:
    sections = [(path, title, what) for permission, path, title, what in SECTIONS
                if has_permission(user.role, permission)]
    return render(request, "console/home.html", {"sections": sections, "user": user})


@router.get("/admin/console/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: Viewer, state: StateDep) -> HTMLResponse:
    return render(request, "console/settings.html",
                  {"settings": shown_settings(state.settings)})
