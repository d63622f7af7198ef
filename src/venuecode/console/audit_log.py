"""The operator console's audit viewer: audit events by person, actor, action and time,
newest first, a page at a time or streamed to CSV; each read is itself audited.

Searching by a person's ID number finds every event about them: those whose subject is
the person and those listing them in `audit_subjects` (a trace, an export, a push). The
search is audited with the person as its subject, so it appears in their access log;
any other search has the audit log itself as subject. Subjects that are persons are
shown masked: the viewer answers "who saw what and why", it does not hand out ID numbers.
District admins are not offered the viewer: persons have no district (an ID number's
region is where someone was born), so no filter could keep them to their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.audit.service import Actor, record
from venuecode.audit.words import operator_words, role_words
from venuecode.cells import safe_cell
from venuecode.console.accounts import FieldProblem
from venuecode.console.words import subject_words
from venuecode.errors import DomainError
from venuecode.people.auth import normalize_phone
from venuecode.people.idnumber import IdNumberError, mask_id_number, parse_id_number
from venuecode.people.models import User

PER_PAGE = 50
EXPORT_PAGE = 2000
ACTIONS = tuple(a.value for a in AuditAction)


@dataclass(frozen=True)
class Filters:
    id_number: str | None = None
    actor: str | None = None  # an actor label ("user:12", "apikey:3", "cli"), resolved
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def as_details(self) -> dict[str, str]:
        """What the search asked for, for its own audit event (the person masked)."""
        out = {k: str(v) for k, v in (("actor", self.actor), ("action", self.action),
                                      ("since", self.since), ("until", self.until)) if v}
        if self.id_number:
            out["id_number"] = mask_id_number(self.id_number)
        return out


def parse_filters(session: Session, *, id_number: str = "", actor: str = "", action: str = "",
                  since: date | None = None, until: date | None = None) -> Filters:
    """Check each filter; a bad one is a `FieldProblem` naming it."""
    number = None
    if id_number.strip():
        try:
            number = parse_id_number(id_number).value
        except IdNumberError as exc:
            raise FieldProblem("id_number", exc.code, exc.message_zh, str(exc)) from None
    if action and action not in ACTIONS:
        raise FieldProblem("action", "unknown_action", "请从列表中选择操作。",
                           "Choose an action from the list.")
    if since and until and since > until:
        raise FieldProblem("until", "range_reversed", "结束日期不能早于开始日期。",
                           "The end date cannot be before the start date.")
    return Filters(number, resolve_actor(session, actor), action or None, since, until)


def resolve_actor(session: Session, raw: str) -> str | None:
    """A phone number or an account number (`#12`, `12`) names that account ("user:N");
    anything else is an actor label as stored (`apikey:3`, `cli`)."""
    raw = raw.strip()
    if not raw:
        return None
    number = raw.removeprefix("#").strip()
    if number.isdigit() and len(number) < 11:
        return f"user:{int(number)}"
    if raw.isdigit() or raw.startswith("+86"):
        try:
            phone = normalize_phone(raw)
        except DomainError:  # not a phone: then it is a label as typed
            return raw[:64]
        found = session.scalar(select(User.id).where(User.phone == phone))
        return f"user:{found}" if found is not None else f"phone:{phone}"
    return raw[:64]


def _query(filters: Filters, tz: ZoneInfo) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if filters.id_number:
        listed = select(AuditSubject.event_id).where(AuditSubject.id_number == filters.id_number)
        query = query.where(((AuditEvent.subject_type == "person")
                             & (AuditEvent.subject_id == filters.id_number))
                            | AuditEvent.id.in_(listed))
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), tz)
        query = query.where(AuditEvent.at < end)
    return query


@dataclass(frozen=True)
class Row:
    id: int
    at: datetime
    actor: str
    actor_name: str  # the account's name and masked phone, when the actor is one
    role: str
    action: str
    subject_type: str
    subject: str  # the subject's id, a person's masked
    reason: str
    persons: int | None
    ip: str


def _subject(event: AuditEvent) -> str:
    if event.subject_type == "person":
        return mask_id_number(event.subject_id)
    return event.subject_id


def _rows(session: Session, events: Sequence[AuditEvent]) -> list[Row]:
    ids = {int(e.actor[5:]) for e in events
           if e.actor.startswith("user:") and e.actor[5:].isdigit()}
    names = {u.id: f"{u.display_name} {u.phone[:3]}****{u.phone[-4:]}".strip()
             for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = []
    for e in events:
        details: dict[str, Any] = orjson.loads(e.details or "{}")
        persons = details.get("persons")
        who = (names.get(int(e.actor[5:]), "")
               if e.actor.startswith("user:") and e.actor[5:].isdigit() else "")
        rows.append(Row(e.id, e.at, e.actor, who, e.actor_role, e.action, e.subject_type,
                        _subject(e),
                        e.reason, int(persons) if isinstance(persons, int) else None,
                        e.ip or ""))
    return rows


@dataclass(frozen=True)
class EventPage:
    rows: list[Row]
    number: int
    has_next: bool


def page_of(session: Session, filters: Filters, tz: ZoneInfo, page: int = 1) -> EventPage:
    """One page, newest first; one extra row tells whether there is a next page (no
    count over millions of events)."""
    found = session.scalars(_query(filters, tz).order_by(AuditEvent.id.desc())
                            .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    return EventPage(_rows(session, found[:PER_PAGE]), page, len(found) > PER_PAGE)


def audit_read(session: Session, actor: Actor, filters: Filters, *, exported: bool) -> int:
    """The read of the audit log, audited: about the person when the search named one.
    Returns the event's id (an export streams the events before it, not its own)."""
    action = AuditAction.AUDIT_EXPORTED if exported else AuditAction.AUDIT_VIEWED
    if filters.id_number:
        event = record(session, actor, action, "person", filters.id_number,
                       "运维控制台按身份证号码查询审计日志", filters=filters.as_details())
    else:
        event = record(session, actor, action, "audit_log", "events",
                       filters=filters.as_details())
    session.flush()
    return event.id


def csv_rows(session: Session, filters: Filters, tz: ZoneInfo, words: Any,
             below: int | None = None) -> Iterator[list[list[str]]]:
    """Every matching event as formula-safe CSV rows, newest first, a page at a time.

    `words(message_id)` translates (the reader's language). Pages are read by id and each
    read ends its transaction (the route committed its audit event before), so a large
    export streams with flat memory and holds no lock while a slow client downloads it.
    Only events with ids below `below` (the export's own event) are written."""
    header = [[words("Time"), words("Actor"), words("Account"), words("Role"), words("Action"),
               words("Action code"), words("Subject"), words("Reason"), words("Persons"),
               words("IP address")]]
    last: int | None = below
    query = _query(filters, tz).order_by(AuditEvent.id.desc()).limit(EXPORT_PAGE)
    while True:
        found = session.scalars(query if last is None else query.where(AuditEvent.id < last)
                                ).all()
        rows = _rows(session, found)
        session.rollback()
        out = [[r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), r.actor, r.actor_name,
                words(role_words(r.role)), words(operator_words(r.action)), r.action,
                f"{words(subject_words(r.subject_type))} {r.subject}",
                r.reason, "" if r.persons is None else str(r.persons), r.ip] for r in rows]
        if header or out:
            yield header + [[safe_cell(c) for c in row] for row in out]
            header = []
        if len(found) < EXPORT_PAGE:
            return
        last = found[-1].id
