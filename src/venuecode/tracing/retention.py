"""How a stored trace ages: kept whole while its oldest evidence is within the scan
retention period, then pseudonymised (the purge, `venuecode.retention.service`).

A trace's result names persons (cases, contacts) and where and when they were: venue and
time evidence drawn from check-ins that the purge deletes after `VENUECODE_RETENTION_DAYS`.
Once its oldest piece of evidence is older than that, the trace keeps only what the
command centre's statistics need: how many cases, contacts per tier, venues and pieces of
evidence, when it ran, who ran it and with which options. The case and contact ID numbers,
the evidence, the free-text reason and the push requests' notes go (the audit events keep
the reason for their own period, and the persons' access logs show the run).

A trace is not pseudonymised while one of its contact marks is still open: the mark denies
the person at the door, and the trace is what says why and lets a supervisor lift it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from venuecode.facts.models import ContactMark
from venuecode.timeutil import from_micros
from venuecode.tracing.models import Trace, TraceAction
from venuecode.tracing.types import TraceResult


def earliest_evidence(result: TraceResult) -> datetime:
    """The earliest start of the result's evidence and case intervals (its `as_of` when it
    names no venue at all): the instant the trace's retention is counted from."""
    starts = [e.start for c in result.contacts for e in c.evidence]
    starts += [iv.start for v in result.venues for iv in v.intervals]
    return from_micros(min(starts, default=result.as_of))


def earliest_in_payload(payload: Mapping[str, Any], as_of: datetime) -> datetime:
    """`earliest_evidence` of a stored result (its JSON shape, times as ISO text): for
    traces stored before the column existed."""
    texts = [e["start"] for c in payload.get("contacts", []) for e in c.get("evidence", [])]
    texts += [iv["start"] for v in payload.get("venues", []) for iv in v.get("intervals", [])]
    return min((datetime.fromisoformat(t) for t in texts), default=as_of)


def evidence_count(payload: Mapping[str, Any]) -> int:
    """Pieces of venue-and-time evidence: contacts' overlaps and the cases' intervals."""
    return (sum(len(c.get("evidence", [])) for c in payload.get("contacts", []))
            + sum(len(v.get("intervals", [])) for v in payload.get("venues", [])))


def summary(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a pseudonymised trace keeps of its result: counts only."""
    contacts = payload.get("contacts", [])
    return {
        "cases": len(payload.get("cases", [])),
        "contacts": len(contacts),
        "tiers": dict(Counter(c["tier"] for c in contacts)),
        "venues": len(payload.get("venues", [])),
        "evidence": evidence_count(payload),
    }


def pseudonymised_payload(payload: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The result as readers expect it (empty cases, contacts and venues), plus the counts."""
    return {"as_of": payload.get("as_of"), "rules": payload.get("rules", {}),
            "cases": [], "contacts": [], "venues": [],
            "pseudonymised": {**summary(payload), "at": now.isoformat()}}


def is_pseudonymised(trace: Trace) -> bool:
    return trace.pseudonymised_at is not None


def _open_mark(trace_id: Any) -> Any:
    return exists().where(ContactMark.trace_id == trace_id, ContactMark.cleared_at.is_(None))


def expired(cutoff: datetime) -> Any:
    """Traces whose oldest evidence is older than `cutoff`, not yet pseudonymised."""
    return and_(Trace.pseudonymised_at.is_(None), Trace.evidence_from < cutoff)


def held(cutoff: datetime) -> Any:
    """Expired traces kept whole because one of their marks is still open."""
    return and_(expired(cutoff), _open_mark(Trace.id))


def due(cutoff: datetime) -> Any:
    return and_(expired(cutoff), ~_open_mark(Trace.id))


def unmeasured() -> Any:
    """Traces stored before `evidence_from` existed (the purge fills it in first)."""
    return and_(Trace.pseudonymised_at.is_(None), Trace.evidence_from.is_(None))


def gone_or_pseudonymised(trace_id: Any) -> Any:
    """A mark whose trace no longer names anyone (or that has no stored trace): deleting it
    cannot let a repeated push of the trace mark its released person again."""
    return or_(trace_id.is_(None), ~exists().where(Trace.id == trace_id,
                                                   Trace.pseudonymised_at.is_(None)))


def load(session: Session, trace_id: int) -> tuple[dict[str, Any], datetime] | None:
    row = session.execute(select(Trace.result_json, Trace.as_of).where(
        Trace.id == trace_id, Trace.pseudonymised_at.is_(None))).first()
    if row is None:
        return None
    payload: dict[str, Any] = orjson.loads(row[0])
    return payload, row[1]


def set_evidence_from(session: Session, trace_id: int, at: datetime) -> None:
    session.execute(update(Trace).where(Trace.id == trace_id).values(evidence_from=at))


def pseudonymise(session: Session, trace_id: int, payload: Mapping[str, Any],
                 now: datetime) -> bool:
    """Replace the trace's persons and evidence by counts; False when another run did it."""
    done = session.execute(
        update(Trace).where(Trace.id == trace_id, Trace.pseudonymised_at.is_(None))
        .values(result_json=orjson.dumps(pseudonymised_payload(payload, now)).decode(),
                cases="[]", reason="", pseudonymised_at=now)
        .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    if not done:
        return False
    session.execute(update(TraceAction).where(TraceAction.trace_id == trace_id)
                    .values(note="").execution_options(synchronize_session=False))
    # A push's scope names the persons excluded and added: only the tiers are kept.
    for action in session.scalars(select(TraceAction).where(TraceAction.trace_id == trace_id)):
        scope = action.scope_json()
        if scope.get("exclude") or scope.get("add"):
            action.scope = orjson.dumps({"tiers": scope.get("tiers", []), "exclude": [],
                                         "add": []}).decode()
    return True
