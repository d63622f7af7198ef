"""Every capability's routers, in one list (order matters only for overlapping paths)."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter, FastAPI

log = logging.getLogger("venuecode.web")

# module path -> attribute holding an APIRouter
ROUTERS: list[tuple[str, str]] = [
    # The scan API first: it is the hot path, and routes are matched in order.
    ("venuecode.scans.api", "router"),
    ("venuecode.web.pages", "router"),
    ("venuecode.web.vendor", "router"),
    ("venuecode.people.api", "router"),
    ("venuecode.people.pages", "router"),
    ("venuecode.venues.api", "router"),
    ("venuecode.venues.pages", "router"),
    ("venuecode.scans.pages", "router"),
    ("venuecode.scans.staff", "router"),
    ("venuecode.assist.api", "router"),
    ("venuecode.assist.pages", "router"),
    ("venuecode.ingest.api", "router"),
    ("venuecode.ingest.pages", "router"),
    ("venuecode.tracing.api", "router"),
    ("venuecode.tracing.pages", "router"),
    # Operator console (/admin/console).
    ("venuecode.console.pages", "router"),
    ("venuecode.console.accounts_pages", "router"),
    ("venuecode.console.keys_pages", "router"),
    ("venuecode.console.audit_pages", "router"),
    # Rotating display codes (issue 15): the venue's display screen.
    ("venuecode.venues.display_pages", "router"),
    # Verifying scan results' proofs (防伪核验), and the public keys.
    ("venuecode.proofs.api", "router"),
    ("venuecode.proofs.pages", "router"),
]


def include_routers(app: FastAPI) -> None:
    for module_name, attribute in ROUTERS:
        module = importlib.import_module(module_name)
        router: APIRouter = getattr(module, attribute)
        app.include_router(router)
