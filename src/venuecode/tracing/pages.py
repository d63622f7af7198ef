"""Tracer pages: cases and traces, the new-trace form, the trace view, the chain graph and
the health-code push (request, four-eyes approval or rejection, lifting marks).

A trace may hold 47,000 persons: the view filters and paginates on the server (one page
of rows in the HTML), and the graph aggregates (`tracing.graph`). Every view of a trace
is audited (`trace.viewed`, with the persons of the page shown), and so are the lists
(`trace.listed`: full case id numbers) and the graph (`trace.graph_viewed`). Phone numbers
are shown one person at a time, on request, throttled per tracer (`REVEALS`), and each
reveal is audited (`person.phone_revealed`, reason `流调 #id`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.access.roles import Permission, has_permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import record, record_about
from venuecode.errors import DomainError, NotFound, RateLimited
from venuecode.facts.models import CaseRecord
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.people.models import Person, User
from venuecode.people.regions import REGION_DISTRICTS
from venuecode.timeutil import TimeFormatError, parse_instant
from venuecode.tracing import actions as push
from venuecode.tracing import call_list
from venuecode.tracing.call_list import Sort
from venuecode.tracing.graph import (
    GraphFilter,
    Layout,
    build_graph,
    build_overview,
    clusters_of,
    label_persons,
    named_persons,
)
from venuecode.tracing.models import Trace, TraceAction
from venuecode.tracing.push_scope import color_of, parse_scope, tiers_of
from venuecode.tracing.reads import graph_persons, listed_cases, row_persons
from venuecode.tracing.schemas import ApproveForm, PushRequestForm, ReasonForm, RejectForm, TraceForm
from venuecode.tracing.service import TraceRequest, get_trace, list_traces, parse_stays, run_trace
from venuecode.tracing.types import tier_rank
from venuecode.venues.models import Venue
from venuecode.web.deps import SessionDep, StateDep, actor_of, require, writes
from venuecode.web.flash import flash
from venuecode.web.i18n import request_locale
from venuecode.web.params import ObjectId
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Tracer = Annotated[User, Depends(require(Permission.TRACE_RUN))]
Supervisor = Annotated[User, Depends(require(Permission.TRACE_APPROVE_ACTION))]
Lifter = Annotated[User, Depends(require(Permission.TRACE_LIFT_MARK))]
PAGE_SIZE = 100
VENUES_SHOWN = 100


def _local(text: str | None, tz: ZoneInfo, fmt: str = "%m-%d %H:%M") -> str:
    if not text:
        return ""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(tz).strftime(fmt)


def venue_names(session: Session, keys: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(keys))
    names: dict[str, str] = {}
    for i in range(0, len(wanted), 900):
        rows = session.execute(select(Venue.venue_id, Venue.name)
                               .where(Venue.venue_id.in_(wanted[i:i + 900])))
        names.update((venue_id, name) for venue_id, name in rows)
    return names


# --- list and new trace ---------------------------------------------------------------


@router.get("/tracing", response_class=HTMLResponse)
@writes  # audited read
def index(request: Request, user: Tracer, session: SessionDep, q: str = "") -> HTMLResponse:
    query = select(CaseRecord).order_by(CaseRecord.reference_time.desc()).limit(200)
    if q.strip():
        query = query.where(CaseRecord.id_number.contains(q.strip()))
    traces = [(t, orjson.loads(t.cases)) for t in list_traces(session, 50)]
    waiting = push.open_actions(session) if has_permission(
        user.role, Permission.TRACE_APPROVE_ACTION) else []
    cases = session.scalars(query).all()
    # The page shows full case id numbers: each listed case is audited.
    record_about(session, actor_of(user, request), AuditAction.TRACE_LISTED, "trace", "list",
                 [c.id_number for c in cases] + list(listed_cases(c for _, c in traces)),
                 view="page", q=q.strip(), cases=len(cases), traces=len(traces))
    session.commit()
    return render(request, "tracing/index.html", {
        "user": user, "cases": cases, "traces": traces, "q": q,
        "open_actions": waiting, "decidable": push.deciders(session, user.id, waiting)})


@router.get("/tracing/new", response_class=HTMLResponse)
def new_trace(request: Request, user: Tracer, state: StateDep,
              cases: Annotated[list[str] | None, Query()] = None) -> HTMLResponse:
    s = state.settings
    form = {"cases": "\n".join(cases or []), "as_of": "", "reason": "",
            "look_back_days": s.trace_look_back_days, "close_minutes": s.trace_close_minutes,
            "depth": s.trace_depth,
            # The deployment's own overrides, shown so a what-if starts from them.
            "dwell": ", ".join(f"{k}={v:g}" for k, v in sorted(s.trace_dwell_minutes.items()))}
    return render(request, "tracing/new.html", {"form": form, "error": None})


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


@router.post("/tracing/traces", response_model=None)
def run(request: Request, user: Tracer, state: StateDep, session: SessionDep,
        fields: Annotated[TraceForm, Form()]) -> Response:
    # Plain `def`: a large outbreak takes seconds, in FastAPI's threadpool, off the event loop.
    form = fields.model_dump()
    picked = [c.strip() for c in form["cases"].replace(",", "\n").split() if c.strip()]
    zh = request_locale(request) == "zh"
    error = None
    if not form["reason"].strip():
        error = ("请填写流调事由（必填，将记入审计日志）。" if zh
                 else "A reason is required; it goes into the audit log.")
    elif not picked:
        error = "请至少选择一个病例。" if zh else "Pick at least one case."
    if error is None:
        try:
            as_of = parse_instant(form["as_of"], state.settings.tz) if form["as_of"].strip() else None
            trace_request = TraceRequest(
                cases=list(dict.fromkeys(picked)), as_of=as_of,
                look_back_days=_float(form["look_back_days"]),
                close_minutes=_float(form["close_minutes"]), depth=_int(form["depth"]),
                reason=form["reason"].strip(),
                dwell_minutes=parse_stays(form["dwell"].replace("，", ",").replace(",", " ").split()) or None)
            trace = run_trace(session, state.settings, actor_of(user, request), user.id,
                              trace_request)
            session.commit()
            return flash(request, RedirectResponse(f"/tracing/traces/{trace.id}", status_code=303),
                         "trace_started")
        except (TimeFormatError, ValueError) as bad:
            error = f"{'输入有误' if zh else 'Invalid input'}: {bad}"
        except DomainError as refused:
            error = refused.message("zh" if zh else "en")
    form["cases"] = "\n".join(dict.fromkeys(picked))
    return render(request, "tracing/new.html", {"form": form, "error": error}, status_code=422)


# --- trace view -----------------------------------------------------------------------


def _matches(contact: Mapping[str, Any], tier: str, venue: str, q: str) -> bool:
    if tier and contact["tier"] != tier:
        return False
    if venue and all(e["venue"] != venue for e in contact["evidence"]):
        return False
    return not q or q in contact["id_number"] or q in contact["source"]


@router.get("/tracing/traces/{trace_id}", response_class=HTMLResponse)
@writes  # audited read
def view(request: Request, trace_id: ObjectId, user: Tracer, state: StateDep, session: SessionDep,
         tier: str = "", venue: str = "", q: str = "",
         district: Annotated[str, Query(max_length=64)] = "",
         sort: Sort = "tier",
         page: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
         lifted: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
         restored: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
         still: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> HTMLResponse:
    trace = get_trace(session, trace_id)
    result = trace.result()
    tz = state.settings.tz
    contacts = result.get("contacts", [])
    counts = Counter(c["tier"] for c in contacts)
    q, district = q.strip(), district.strip()
    matching_contacts = [c for c in contacts if _matches(c, tier, venue, q)]
    # The registry is read for the page's rows only, unless the district filter needs
    # every matching person's district.
    people = (call_list.registered(session, (c["id_number"] for c in matching_contacts))
              if district else {})
    listed = call_list.sorted_rows(call_list.filtered(
        call_list.call_rows(matching_contacts, people, {}, tz), district), sort)
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(page, pages)
    shown = {r.id_number for r in listed[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]}
    by_number = {c["id_number"]: c for c in matching_contacts}
    page_contacts = [by_number[r.id_number] for r in listed[(page - 1) * PAGE_SIZE:
                                                               page * PAGE_SIZE]]
    exposed = result.get("venues", [])
    venue_info = call_list.places(session, [v["venue"] for v in exposed]
                                  + [e["venue"] for c in page_contacts for e in c["evidence"]])
    names = {venue_id: place.name for venue_id, place in venue_info.items()}
    calls = call_list.call_rows(page_contacts, call_list.registered(session, shown),
                                venue_info, tz)
    rows = [dict(c, call=call) for c, call in zip(page_contacts, calls, strict=True)]
    matching = listed
    trace_actions = push.actions_of(session, trace.id)
    can_approve = has_permission(user.role, Permission.TRACE_APPROVE_ACTION)
    samples = {a.id: _sample(session, a, trace) for a in trace_actions
               if can_approve and a.status in push.PENDING and a.scope_json()}
    record_about(session, actor_of(user, request), AuditAction.TRACE_VIEWED, "trace", trace.id,
                 [*row_persons(result, rows), *(p["id_number"] for s in samples.values() for p in s)],
                 trace.reason, view="list", tier=tier, venue=venue, q=q, page=page,
                 shown=len(rows), sampled=sum(len(s) for s in samples.values()))
    session.commit()
    base = {"tier": tier, "venue": venue, "q": q, "district": district, "sort": sort}
    pushed = push.was_pushed(session, trace.id)
    return render(request, "tracing/view.html", {
        "pushed": pushed, "can_lift": has_permission(user.role, Permission.TRACE_LIFT_MARK),
        "marks": push.open_marks(session, trace.id, [c["id_number"] for c in rows]) if pushed else {},
        # The webhook platform keeps the marks: any pushed person may be lifted there.
        "remote_marks": state.settings.healthcode_backend == "webhook",
        "lift_notice": None if lifted is None else
        {"lifted": lifted, "restored": restored, "still": still},
        "trace": trace, "result": result, "local": lambda t: _local(t, tz),
        "counts": sorted(counts.items(), key=lambda kv: tier_rank(kv[0])),
        "total": len(contacts), "matching": len(matching), "rows": rows, "page": page,
        "page_links": _page_links(page, pages), "sorts": call_list.SORTS,
        "districts": _district_choices(session, district),
        "pages": pages, "filters": base, "names": names,
        "venues": exposed[:VENUES_SHOWN], "venues_more": max(0, len(exposed) - VENUES_SHOWN),
        "actions": [(a, push.outcome_of(a)) for a in trace_actions],
        "can_approve": can_approve, "samples": samples,
        "push_tiers": [(t, color_of(t), n) for t, n in tiers_of(result).items()],
        "review_persons": state.settings.push_review_persons,
        "can_withdraw": lambda a: a.status in (push.OPEN, push.REVIEWED) and (
            a.requested_by == user.id or can_approve),
        "user": user, "query": lambda **kw: _query({**base, "page": page, **kw})})


def _page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers around the current one, with the first and last; None is a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[int | None] = []
    for n in wanted:
        if links and n - (links[-1] or 0) > 1:
            links.append(None)
        links.append(n)
    return links


def _district_choices(session: Session, current: str) -> list[str]:
    """The city's districts (venues' and the ID region table's), for the call-list filter."""
    found = set(session.scalars(select(Venue.district).distinct()))
    found.update(REGION_DISTRICTS.values())
    found.discard("")
    found.discard(None)
    if current:
        found.add(current)
    return sorted(found)


def _query(values: Mapping[str, object]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({k: v for k, v in values.items()
                            if v not in ("", None, 1) and not (k == "sort" and v == "tier")})


# 显示电话 per tracer: enough for a tracer's calls, far from harvesting a trace's phones;
# closed when the limiter is down, so an outage does not open the harvest.
REVEALS = Limit("trace-reveal", 60, 10 * 60, fail_open=False)


def check_reveal_rate(limiter: Limiter, user_id: int) -> None:
    wait = limiter.hit(REVEALS, str(user_id))
    if wait > 0:
        seconds = int(wait) + 1
        raise RateLimited("reveal_too_frequent",
                          f"显示电话过于频繁：每 10 分钟最多 {REVEALS.amount} 次，请 {seconds} 秒后再试。",
                          f"Too many phone numbers shown: at most {REVEALS.amount} every 10 "
                          f"minutes; try again in {seconds} seconds.", seconds)


@router.post("/tracing/traces/{trace_id}/persons/{id_number}/phone")
def reveal_phone(request: Request, trace_id: ObjectId, id_number: str, user: Tracer,
                 state: StateDep, session: SessionDep) -> JSONResponse:
    """One person's name and phone, for a person in this trace only; throttled per tracer
    and audited per reveal."""
    check_reveal_rate(state.limiter, user.id)
    trace = get_trace(session, trace_id)
    result = trace.result()
    in_trace = any(c["id_number"] == id_number for c in result.get("contacts", [])) or any(
        c["id_number"] == id_number for c in result.get("cases", []))
    if not in_trace:
        raise NotFound("person_not_in_trace", "该人员不在此次流调结果中。",
                       f"{id_number} is not in trace {trace_id}.")
    person = session.get(Person, id_number)
    record(session, actor_of(user, request), AuditAction.PHONE_REVEALED, "person", id_number,
           reason=f"流调 #{trace.id}：{trace.reason}"[:500], field="phone", trace_id=trace.id)
    session.commit()
    return JSONResponse({"id_number": id_number, "name": person.name if person else None,
                         "phone": person.phone if person else None})


# --- chain graph ----------------------------------------------------------------------


@router.get("/tracing/traces/{trace_id}/graph", response_class=HTMLResponse)
def graph_page(request: Request, trace_id: ObjectId, user: Tracer, session: SessionDep) -> HTMLResponse:
    trace = get_trace(session, trace_id)
    return render(request, "tracing/graph.html", {"trace": trace})


_GRAPH_TIERS = {"close", "secondary", "tertiary", "general"}


def _deep_tier(tier: str) -> bool:
    return tier.startswith("tier") and tier[4:].isdigit() and len(tier) < 8


def _day(text: str | None, tz: ZoneInfo, end: bool = False) -> datetime | None:
    """A date picker's day as an instant: its local midnight (the next one for `to`)."""
    if not text:
        return None
    start = parse_instant(text, tz)
    return start + timedelta(days=1) if end and len(text.strip()) == 10 else start


@router.get("/tracing/traces/{trace_id}/graph.json")
@writes  # audited read
def graph_data(request: Request, trace_id: ObjectId, user: Tracer, state: StateDep,
               session: SessionDep, tier: Annotated[list[str] | None, Query()] = None,
               venue: Annotated[str, Query(max_length=64)] = "",
               start: Annotated[str, Query(alias="from")] = "",
               end: Annotated[str, Query(alias="to")] = "",
               view: Literal["auto", "overview", "chain"] = "chain",
               layout: Layout = "chain",
               cluster: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
               case: Annotated[str, Query(max_length=18)] = "") -> JSONResponse:
    """The chain graph's data: the overview of chains (`view=overview`, or `auto` when a
    trace has several chains and no chain or case is chosen), or one chain's graph."""
    trace = get_trace(session, trace_id)
    result = trace.result()
    tz = state.settings.tz
    tiers = frozenset(t for item in tier or [] for t in item.split(",") if t)
    unknown = sorted(t for t in tiers if t not in _GRAPH_TIERS and not _deep_tier(t))
    if unknown:
        raise DomainError("invalid_tier", f"未知的人员类别：{unknown[0][:20]}",
                          f"Unknown tier: {unknown[0][:20]}", status=422)
    try:
        flt = GraphFilter(tiers or None, _day(start, tz), _day(end, tz, end=True), venue or None,
                          cluster, case.strip() or None)
    except TimeFormatError as bad:
        raise DomainError("invalid_date", f"日期格式有误：{bad}", str(bad), status=422) from None
    except OverflowError:  # a day at the calendar's end: its next midnight does not exist
        raise DomainError("invalid_date", "日期超出范围。", "The date is out of range.",
                          status=422) from None
    keys = [v["venue"] for v in result.get("venues", [])]
    keys += [e["venue"] for c in result.get("contacts", []) for e in c["evidence"]]
    names = venue_names(session, keys)
    overview = view == "overview" or (view == "auto" and not flt.narrowed
                                      and len(set(clusters_of(result).values())) > 1)
    if overview:
        data = build_overview(result, names)
    else:
        data = build_graph(result, flt, names, layout=layout)
        people = call_list.registered(session, named_persons(data))
        label_persons(data, {number: p.name for number, p in people.items()})
    # The case filter lists every case of the trace: they are shown, so audited too.
    data["cases_list"] = [c["id_number"] for c in result.get("cases", [])]
    record_about(session, actor_of(user, request), AuditAction.TRACE_GRAPH_VIEWED, "trace",
                 trace.id, [*graph_persons(data), *data["cases_list"]], trace.reason,
                 view=data["view"],
                 tiers=sorted(tiers), venue=venue, start=start, end=end, cluster=cluster,
                 case=case, layout=layout, nodes=len(data["nodes"]))
    session.commit()
    data["venues_list"] = [{"venue": v, "name": names.get(v, v)}
                           for v in dict.fromkeys(v["venue"] for v in result.get("venues", []))]
    data["trace"] = {"id": trace.id, "as_of": result.get("as_of"),
                     "first": _first_day(result, tz), "last": _local(result.get("as_of"), tz, "%Y-%m-%d")}
    return JSONResponse(data)


def _first_day(result: Mapping[str, Any], tz: ZoneInfo) -> str:
    starts = [c.get("window_start") for c in result.get("cases", []) if c.get("window_start")]
    return _local(min(starts, key=lambda t: datetime.fromisoformat(t).astimezone(UTC)), tz,
                  "%Y-%m-%d") if starts else ""


# --- health-code push -----------------------------------------------------------------


@router.post("/tracing/traces/{trace_id}/actions")
def request_action(request: Request, trace_id: ObjectId, user: Tracer, session: SessionDep,
                   form: Annotated[PushRequestForm, Form()]) -> RedirectResponse:
    """Request a push of the tiers ticked, minus the persons excluded, plus those added."""
    trace = get_trace(session, trace_id)
    scope = parse_scope(trace.result(), form.tiers, form.exclude, form.add)
    push.request_push(session, actor_of(user, request), user.id, trace, scope, form.note)
    session.commit()
    return flash(request, RedirectResponse(f"/tracing/traces/{trace_id}#actions", status_code=303),
                 "push_requested")


@router.post("/tracing/actions/{action_id}/approve")
def approve_action(request: Request, action_id: ObjectId, user: Supervisor, state: StateDep,
                   session: SessionDep,
                   form: Annotated[ApproveForm, Form()]) -> RedirectResponse:
    action = push.approve_push(session, state.settings, actor_of(user, request), user.id,
                               action_id, persons=form.persons)
    session.commit()
    return flash(request, RedirectResponse(f"/tracing/traces/{action.trace_id}#actions",
                                           status_code=303), "push_approved")


@router.post("/tracing/actions/{action_id}/withdraw")
def withdraw_action(request: Request, action_id: ObjectId, user: Tracer,
                    session: SessionDep) -> RedirectResponse:
    """The requester (or a supervisor) withdraws a request before it is applied."""
    action = push.withdraw_push(session, actor_of(user, request), user.id, action_id)
    session.commit()
    return RedirectResponse(f"/tracing/traces/{action.trace_id}#actions", status_code=303)


def _sample(session: Session, action: TraceAction, trace: Trace) -> list[dict[str, str]]:
    """Masked persons of each tier for the approver (they are audited as viewed)."""
    persons = push.sample_of(action, trace)
    names = {number: name for number, name in session.execute(
        select(Person.id_number, Person.name).where(
            Person.id_number.in_([p.id_number for p in persons])))} if persons else {}
    return [{"id_number": p.id_number, "masked": mask_id_number(p.id_number),
             "name": mask_name(names.get(p.id_number, "")), "tier": p.tier, "color": p.color,
             "added": "1" if p.added else ""} for p in persons]


@router.post("/tracing/actions/{action_id}/reject")
def reject_action(request: Request, action_id: ObjectId, user: Supervisor, session: SessionDep,
                  form: Annotated[RejectForm, Form()]) -> RedirectResponse:
    action = push.reject_push(session, actor_of(user, request), user.id, action_id,
                              form.reason)
    session.commit()
    # Back to the list it was rejected from (a fixed choice: never a URL from the form).
    if form.back == "index":
        return flash(request, RedirectResponse("/tracing#open-actions", status_code=303),
                     "push_rejected")
    return flash(request, RedirectResponse(f"/tracing/traces/{action.trace_id}#actions",
                                           status_code=303), "push_rejected")


def _lift(request: Request, trace_id: ObjectId, user: User, state: StateDep,
          session: SessionDep, reason: str, id_number: str | None) -> RedirectResponse:
    from urllib.parse import urlencode

    # Lifting a whole outbreak writes tens of thousands of rows: the routes are plain
    # `def`, so this runs in FastAPI's threadpool, off the event loop.
    trace = get_trace(session, trace_id)
    done = push.lift_marks(session, state.settings, actor_of(user, request), trace, reason,
                           id_number)
    session.commit()
    # Counts only in the URL: the notice's words come from the template, so nothing typed
    # into a form is echoed back from a link.
    counts = {"lifted": len(done.lifted), "still": len(done.still_marked)}
    if done.restored is not None:
        counts["restored"] = len(done.restored)
    return flash(request, RedirectResponse(
        f"/tracing/traces/{trace_id}?{urlencode(counts)}#lift-notice", status_code=303),
        "marks_lifted")


@router.post("/tracing/traces/{trace_id}/persons/{id_number}/lift")
def lift_person(request: Request, trace_id: ObjectId, id_number: str, user: Lifter,
                state: StateDep, session: SessionDep,
                form: Annotated[ReasonForm, Form()]) -> RedirectResponse:
    """Lift one person's mark of this trace (解除管控); no open mark is a no-op notice."""
    return _lift(request, trace_id, user, state, session, form.reason, id_number)


@router.post("/tracing/traces/{trace_id}/lift")
def lift_trace(request: Request, trace_id: ObjectId, user: Lifter, state: StateDep,
               session: SessionDep, form: Annotated[ReasonForm, Form()]) -> RedirectResponse:
    """Lift the marks of every person of this trace."""
    return _lift(request, trace_id, user, state, session, form.reason, None)
