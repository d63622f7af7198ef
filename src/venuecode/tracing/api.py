"""Tracing API: run a trace, read it back, export it. Permission `trace.run`, all audited."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from venuecode.access.roles import Permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record_about
from venuecode.errors import InvalidInput
from venuecode.people.models import User
from venuecode.timeutil import TimeFormatError, parse_instant
from venuecode.tracing.export import FORMATS, export_trace
from venuecode.tracing.models import Trace
from venuecode.tracing.reads import listed_cases, result_persons
from venuecode.tracing.schemas import TraceBody, TraceOut, TraceSummary
from venuecode.tracing.service import TraceRequest, get_trace, list_traces, run_trace
from venuecode.web.deps import SessionDep, StateDep, actor_of, require, writes
from venuecode.web.params import ObjectId

router = APIRouter(prefix="/api/v1/traces", tags=["tracing"])
Tracer = Annotated[User, Depends(require(Permission.TRACE_RUN))]
EXPORTS = {**FORMATS, "contacts.csv": FORMATS["csv"]}


def _summary(row: Trace) -> dict[str, object]:
    return {
        "id": row.id, "created_at": row.created_at, "actor": row.actor, "reason": row.reason,
        "as_of": row.as_of, "cases": orjson.loads(row.cases), "contacts": row.contacts,
        "venues": row.venues, "seconds": row.seconds,
    }


@router.post("", status_code=201)
def create_trace(body: TraceBody, request: Request, user: Tracer, session: SessionDep,
                 state: StateDep) -> TraceOut:
    """Run a trace on the case registry and store it; the reason is kept in the audit log."""
    settings = state.settings
    try:
        as_of = None if body.as_of is None else parse_instant(body.as_of, settings.tz)
    except TimeFormatError as exc:
        raise InvalidInput("invalid_as_of", "截止时间格式不正确。", str(exc)) from None
    request_ = TraceRequest(None if body.all_cases else body.cases, as_of, body.look_back_days,
                            body.close_minutes, body.depth, body.reason.strip(), body.dwell_minutes)
    row = run_trace(session, settings, actor_of(user, request), user.id, request_)
    session.commit()
    return TraceOut(**_summary(row), result=row.result())


@router.get("")
@writes  # audited read
def recent_traces(request: Request, user: Tracer, session: SessionDep,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[TraceSummary]:
    """The latest traces (without results); their cases' id numbers are audited."""
    rows = list_traces(session, limit)
    summaries = [TraceSummary(**_summary(row)) for row in rows]
    record_about(session, actor_of(user, request), AuditAction.TRACE_LISTED, "trace", "list",
                 listed_cases(s.cases for s in summaries), view="api", traces=len(rows))
    session.commit()
    return summaries


@router.get("/{trace_id}")
@writes  # audited read
def read_trace(trace_id: ObjectId, request: Request, user: Tracer, session: SessionDep) -> TraceOut:
    """A stored trace with its result; audited as trace.viewed."""
    row = get_trace(session, trace_id)
    result = row.result()
    record_about(session, actor_of(user, request), AuditAction.TRACE_VIEWED, "trace", row.id,
                 result_persons(result), row.reason, view="api")
    session.commit()
    return TraceOut(**_summary(row), result=result)


@router.get("/{trace_id}/export.{fmt}")
@writes  # audited read
def export(trace_id: ObjectId, fmt: str, request: Request, user: Tracer, session: SessionDep,
           state: StateDep,
           phones: Annotated[Literal["masked", "full"], Query()] = "masked",
           district: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The trace's call lists in Chinese: `csv`, `xlsx` (one sheet per district) or
    `contacts.csv` (Go.Data/SORMAS-style columns); watermarked and audited per person.
    `phones=full` carries the full numbers (audited as such); `district=` one district."""
    if fmt not in EXPORTS:
        raise InvalidInput("invalid_format", "导出格式须为 csv、xlsx 或 contacts.csv。",
                           f"Export format must be csv, xlsx or contacts.csv, not {fmt!r}.")
    row = get_trace(session, trace_id)
    who = f"{user.real_name or ''} user:{user.id}".strip()
    data = export_trace(session, row, fmt, actor_of(user, request), who, state.settings.tz,
                        full_phones=phones == "full", district=district.strip())
    session.commit()
    name = f"trace-{row.id}" + (f"-{district.strip()}" if district.strip() else "")
    return Response(data, media_type=EXPORTS[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"trace-{row.id}.{fmt}\"; "
                               f"filename*=UTF-8''{quote(name)}.{fmt}",
        "Cache-Control": "no-store",
    })
