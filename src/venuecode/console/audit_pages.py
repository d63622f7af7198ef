"""Operator console: the audit log viewer (/admin/console/audit) and its CSV export.

Every page and every export is itself an audit event, committed before the rows are
shown or streamed (`console/audit_log.py`); a search by ID number is in that person's
access log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.roles import Permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.words import operator_words, role_words
from venuecode.console import audit_log
from venuecode.console.accounts import FieldProblem
from venuecode.console.accounts_pages import field_error
from venuecode.console.words import actor_words, subject_words
from venuecode.errors import InvalidInput
from venuecode.people.models import User
from venuecode.web.deps import LocaleDep, SessionDep, StateDep, actor_of, require, writes
from venuecode.web.i18n import translations
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Auditor = Annotated[User, Depends(require(Permission.AUDIT_VIEW))]
BASE = "/admin/console/audit"


def _day(field: str, raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        raise FieldProblem(field, "bad_date", "请输入日期，格式为 2022-04-19。",
                           "Enter a date such as 2022-04-19.")
    return day


def _page(raw: str) -> int:
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise FieldProblem("page", "bad_page", "页码应为 1 到 100000 之间的整数。",
                           "The page is a whole number from 1 to 100000.")
    return int(raw)


def _filters(session: Session, id_number: str, actor: str, action: str, since: str,
             until: str) -> audit_log.Filters:
    return audit_log.parse_filters(session, id_number=id_number[:40], actor=actor[:80],
                                   action=action[:48], since=_day("since", since),
                                   until=_day("until", until))


@router.get(BASE, response_class=HTMLResponse)
@writes  # the read is audited
def audit_view(request: Request, auditor: Auditor, session: SessionDep, state: StateDep,
               locale: LocaleDep, id_number: str = "", actor: str = "", action: str = "",
               since: str = "", until: str = "", page: str = "") -> HTMLResponse:
    asked = {"id_number": id_number, "actor": actor, "action": action, "since": since,
             "until": until}
    context: dict[str, object] = {
        "asked": asked, "error": None, "events": None,
        "actions": sorted(((a.value, operator_words(a.value)) for a in AuditAction),
                          key=lambda pair: pair[1]),
        "operator_words": operator_words, "role_words": role_words,
        "subject_words": subject_words, "actor_words": actor_words,
        "query": urlencode({k: v for k, v in asked.items() if v}),
    }
    try:
        filters = _filters(session, id_number, actor, action, since, until)
        number = _page(page)
    except FieldProblem as problem:
        context["error"] = field_error(problem, locale)
        return render(request, "console/audit.html", context, status_code=422)
    # The page as it was before this read; then the read itself, stored before it is shown.
    context["events"] = audit_log.page_of(session, filters, state.settings.tz, number)
    audit_log.audit_read(session, actor_of(auditor, request), filters, exported=False)
    session.commit()
    return render(request, "console/audit.html", context)


@router.get(f"{BASE}.csv")
@writes  # the export is audited
def audit_export(request: Request, auditor: Auditor, session: SessionDep, state: StateDep,
                 locale: LocaleDep, id_number: str = "", actor: str = "", action: str = "",
                 since: str = "", until: str = "") -> StreamingResponse:
    """Every matching event, streamed a page at a time, formula-safe."""
    try:
        filters = _filters(session, id_number, actor, action, since, until)
    except FieldProblem as problem:  # the error page names the field too
        raise InvalidInput(problem.code, field_error(problem, "zh"),
                           field_error(problem, "en")) from None
    own = audit_log.audit_read(session, actor_of(auditor, request), filters, exported=True)
    session.commit()
    words = translations(locale).gettext
    rows = audit_log.csv_rows(session, filters, state.settings.tz, words, below=own)
    stamp = clock.now().astimezone(state.settings.tz).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        _csv_bytes(rows), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'})


def _csv_bytes(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    import csv
    import io

    yield "\ufeff".encode()  # the BOM: Excel then reads the file as UTF-8
    for rows in pages:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        yield buffer.getvalue().encode("utf-8")
