"""Tracing service: run a trace on the database, store it as a `Trace`, audit it.

The contract the CLI, the API and the tracing pages code against:
`TraceRequest`, `compute_trace` (no storing), `run_trace` (store + audit TRACE_RUN),
`get_trace`, `list_traces`, `format_time_for`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import BigInteger, select, type_coerce
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record_about
from venuecode.categories import dwell_override_problems
from venuecode.config import Settings
from venuecode.errors import InvalidInput, NotFound
from venuecode.facts.models import CaseRecord
from venuecode.observability.metrics import observe_trace
from venuecode.timeutil import EPOCH, from_micros, to_micros
from venuecode.tracing.core import Case, TraceOptions, TraceResult, result_to_json_dict, trace
from venuecode.tracing.models import Trace
from venuecode.tracing.reads import result_persons
from venuecode.tracing.repository import DbPresenceSource
from venuecode.tracing.retention import earliest_evidence

Progress = Callable[[str, int, int], None]

MAX_DEPTH = 5
MAX_LOOK_BACK_DAYS = 28  # the retention period: older check-ins are purged anyway
MAX_CASES = 10_000


@dataclass(frozen=True)
class TraceRequest:
    cases: list[str] | None  # id numbers; None = every case in the registry (--all-cases)
    as_of: datetime | None = None
    look_back_days: float | None = None  # None: the settings' default
    close_minutes: float | None = None
    depth: int | None = None
    reason: str = ""
    # Stay length per venue category for this trace (a what-if), over the settings' table.
    dwell_minutes: dict[str, float] | None = None


def parse_stays(items: Iterable[str]) -> dict[str, float]:
    """`metro=10`-style items (CLI options, or a form field split on commas and spaces) as
    {category: minutes}; the categories and ranges are checked by `options_for`."""
    out: dict[str, float] = {}
    for item in items:
        slug, sep, minutes = item.partition("=")
        try:
            value = float(minutes)
        except ValueError:
            sep = ""
        if not sep or not slug.strip():
            raise ValueError(f"{item!r}: write CATEGORY=MINUTES, e.g. metro=10")
        out[slug.strip()] = value
    return out


def format_time_for(tz: ZoneInfo) -> Callable[[int], str]:
    """Micros to ISO 8601 local time with its offset (what the JSON and exports show),
    exactly as `datetime.isoformat` writes it: `2026-11-27T08:30:00+08:00`, with
    `.ffffff` when the microseconds are not zero.

    A large trace formats millions of times, so the zone is asked once per UTC hour and
    the text up to the minute is made once per minute; the seconds are arithmetic. Hours
    in which the offset changes, and offsets that are not whole minutes (local mean time
    before ~1900), are formatted by `datetime` itself.
    """
    zones: dict[int, tuple[int, str] | None] = {}  # UTC hour -> (offset micros, "+08:00")
    texts: dict[int, tuple[str, str]] = {}  # UTC minute -> ("2026-11-27T08:30:", "+08:00")

    def minute_texts(minute: int) -> tuple[str, str]:
        hour = minute // 60
        if hour not in zones:
            zones[hour] = _zone_in_hour(tz, hour)
        zone = zones[hour]
        if zone is None or zone[0] % _MINUTE:
            return "", ""  # no shortcut: see fmt
        offset, suffix = zone
        local = EPOCH + timedelta(microseconds=minute * _MINUTE + offset)
        return local.isoformat()[:17], suffix

    def fmt(micros: int) -> str:
        minute, rest = divmod(micros, _MINUTE)
        text = texts.get(minute)
        if text is None:
            text = texts[minute] = minute_texts(minute)
        prefix, suffix = text
        second, micro = divmod(rest, 1_000_000)
        if not prefix:
            return datetime.fromtimestamp(micros // 1_000_000, tz).replace(microsecond=micro).isoformat()
        if micro:
            return f"{prefix}{_TWO_DIGITS[second]}.{micro:06d}{suffix}"
        return prefix + _TWO_DIGITS[second] + suffix

    return fmt


_MINUTE = 60_000_000
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]


def _zone_in_hour(tz: ZoneInfo, hour: int) -> tuple[int, str] | None:
    """The UTC offset during UTC hour `hour`, in micros and as isoformat writes it; None
    when it changes within the hour (zone transitions fall on whole seconds)."""
    first = datetime.fromtimestamp(hour * 3600, tz)
    offset = first.utcoffset()
    if offset is None or datetime.fromtimestamp(hour * 3600 + 3599, tz).utcoffset() != offset:
        return None
    # isoformat() of a whole second is "YYYY-MM-DDTHH:MM:SS", then the offset.
    return offset // timedelta(microseconds=1), first.isoformat()[19:]


def options_for(settings: Settings, request: TraceRequest) -> TraceOptions:
    """The request's options with settings defaults, validated with messages a tracer can act on."""
    look_back = settings.trace_look_back_days if request.look_back_days is None else request.look_back_days
    close = settings.trace_close_minutes if request.close_minutes is None else request.close_minutes
    depth = settings.trace_depth if request.depth is None else request.depth
    if not 0 <= look_back <= MAX_LOOK_BACK_DAYS:
        raise InvalidInput("invalid_look_back", f"回溯天数须在 0 到 {MAX_LOOK_BACK_DAYS} 之间。",
                           f"look_back_days must be between 0 and {MAX_LOOK_BACK_DAYS}, got {look_back}.")
    if not 0 < close <= 24 * 60:
        raise InvalidInput("invalid_close_minutes", "密接时长阈值须大于 0 且不超过 1440 分钟。",
                           f"close_minutes must be > 0 and at most 1440, got {close}.")
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput("invalid_depth", f"追踪层级须在 1 到 {MAX_DEPTH} 之间。",
                           f"depth must be between 1 and {MAX_DEPTH}, got {depth}.")
    as_of = request.as_of or clock.now()
    if as_of.tzinfo is None:
        raise InvalidInput("invalid_as_of", "截止时间须带时区。", "as_of must carry a time zone.")
    dwell = {**settings.trace_dwell_minutes, **(request.dwell_minutes or {})}
    problems = dwell_override_problems(dwell)
    if problems:
        raise InvalidInput("invalid_dwell", "停留时长设置有误：" + "；".join(problems),
                           "Stay lengths: " + "; ".join(problems), problems=problems)
    return TraceOptions(as_of=to_micros(as_of), look_back_days=look_back, close_minutes=close, depth=depth,
                        dwell_minutes=dwell)


def load_cases(session: Session, id_numbers: list[str] | None) -> list[Case]:
    """The cases to trace from the registry; unknown id numbers are named in the error."""
    ref = type_coerce(CaseRecord.reference_time, BigInteger)
    iso = type_coerce(CaseRecord.isolated_at, BigInteger)
    query = select(CaseRecord.id_number, ref, iso)
    if id_numbers is not None:
        wanted = list(dict.fromkeys(s.strip().upper() for s in id_numbers if s.strip()))
        if not wanted:
            raise InvalidInput("no_cases", "请至少指定一名病例。", "Name at least one case to trace.")
        if len(wanted) > MAX_CASES:
            raise InvalidInput("too_many_cases", f"一次最多追踪 {MAX_CASES} 名病例。",
                               f"At most {MAX_CASES} cases a trace.")
        query = query.where(CaseRecord.id_number.in_(wanted))
    rows = {p: Case(p, r, i) for p, r, i in session.execute(query).all()}
    if id_numbers is None:
        if not rows:
            raise InvalidInput("no_cases", "病例库中没有病例。", "The case registry has no cases to trace.")
        return [rows[p] for p in sorted(rows)]
    unknown = [p for p in wanted if p not in rows]
    if unknown:
        raise InvalidInput("unknown_cases", "以下证件号不在病例库中：" + "、".join(unknown),
                           "Not in the case registry (import them as cases first): " + ", ".join(unknown),
                           unknown=unknown)
    return [rows[p] for p in wanted]


def compute_trace(session: Session, settings: Settings, request: TraceRequest,
                  progress: Progress | None = None) -> TraceResult:
    """The trace's result without storing anything (CLI output, benchmarks)."""
    options = options_for(settings, request)
    cases = load_cases(session, request.cases)
    return trace(cases, DbPresenceSource(session, categories=options.dwell_minutes), options, progress)


def run_trace(session: Session, settings: Settings, actor: Actor, user_id: int | None,
              request: TraceRequest, progress: Progress | None = None) -> Trace:
    """Compute, store a `Trace` row and audit TRACE_RUN (who, when, which cases, why).

    The caller commits (the trace and its audit event are stored together or not at all).
    """
    started = time.perf_counter()
    options = options_for(settings, request)
    cases = load_cases(session, request.cases)
    result = trace(cases, DbPresenceSource(session, categories=options.dwell_minutes), options, progress)
    payload = result_to_json_dict(result, format_time_for(settings.tz))
    option_json: dict[str, Any] = {
        "look_back_days": options.look_back_days,
        "close_minutes": options.close_minutes,
        "depth": options.depth,
        "dwell_minutes": dict(options.dwell_minutes),
        "all_cases": request.cases is None,
    }
    case_ids = [c.person for c in cases]
    row = Trace(
        created_at=clock.now(),
        created_by=user_id,
        actor=actor.label,
        reason=request.reason,
        as_of=from_micros(options.as_of),
        cases=orjson.dumps(case_ids).decode(),
        options=orjson.dumps(option_json).decode(),
        status="done",
        contacts=len(result.contacts),
        venues=len(result.venues),
        seconds=round(time.perf_counter() - started, 3),
        result_json=orjson.dumps(payload).decode(),
        evidence_from=earliest_evidence(result),
    )
    observe_trace(time.perf_counter() - started)
    session.add(row)
    session.flush()
    # One event, and every case and contact in audit_subjects: their access logs show it.
    record_about(session, actor, AuditAction.TRACE_RUN, "trace", row.id,
                 result_persons(payload), request.reason,
                 cases=case_ids, options=option_json, contacts=row.contacts)
    return row


def get_trace(session: Session, trace_id: int) -> Trace:
    row = session.get(Trace, trace_id)
    if row is None:
        raise NotFound("trace_not_found", f"找不到流调记录 {trace_id}。", f"No trace {trace_id}.")
    return row


def list_traces(session: Session, limit: int = 50) -> list[Trace]:
    """The latest traces first."""
    query = select(Trace).order_by(Trace.id.desc()).limit(max(1, min(limit, 1000)))
    return list(session.scalars(query))
