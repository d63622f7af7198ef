"""Delete (or pseudonymise) personal data after its retention period: every kind, one place.

The periods are `retention.periods.Periods` (typed settings); the table of what each kind
keeps, from when and why is docs/security.md#retention. The purge runs in committed
slices (`retention.slices`), so it may run while scans come in, and twice at once.

On PostgreSQL scan data is partitioned by UTC day (`venuecode.scans.partitions`): day
partitions entirely past the cut-off are dropped whole, and rows are deleted one by one
only where the cut-off falls (the edge day's partition, and the default partition), so the
cut-off stays exact to the instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, cast, delete, exists, literal, select, text, update
from sqlalchemy.orm import Session, aliased

from venuecode.assist.models import HelpAlert, PaperCode
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import EVENT_RANGE_PAGES, AuditEvent, AuditSubject
from venuecode.audit.service import Actor, record
from venuecode.facts.models import ContactMark, ItineraryRecord, NucleicAcidTestRecord, VaccinationRecord
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.people.models import RevokedToken, SmsCode
from venuecode.retention.periods import Periods
from venuecode.retention.slices import Slicer, count, delete_rows
from venuecode.scans import partitions
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.timeutil import to_micros
from venuecode.tracing import retention as traces
from venuecode.tracing.models import Trace

# A paper code past its period keeps its row without the person (`~` + its id as the ID
# number): the card's number is then never handed out again (SQLite reuses the largest
# deleted rowid), so an old card can never show someone else's colour.
TOMBSTONE = "~"

# (key, Chinese, English) of every count the purge reports, in its order.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("checkins", "签到记录", "check-ins"),
    ("denied_attempts", "拒绝进入记录", "denied attempts"),
    ("traces", "流调结果（去标识化）", "traces pseudonymised"),
    ("trace_evidence", "流调时空证据", "pieces of trace evidence"),
    ("traces_held", "流调结果（管控未解除，保留）", "traces kept: marks still open"),
    ("contact_marks", "已解除的流调标记", "lifted tracing marks"),
    ("nucleic_acid_tests", "核酸检测记录", "nucleic-acid tests"),
    ("itineraries", "行程记录", "itinerary stays"),
    ("vaccinations", "疫苗接种记录", "vaccination doses"),
    ("paper_codes", "已挂失的代办健康码", "revoked paper codes"),
    ("help_alerts", "帮扫预警", "help-scan alerts"),
    ("ingest_rejects", "导入拒收行", "rejected import rows"),
    ("sms_codes", "短信验证码", "sign-in codes"),
    ("revoked_tokens", "已注销的登录凭证", "signed-out tokens"),
    ("audit_events", "审计事件", "audit events"),
    ("audit_subjects", "审计事件涉及人员", "audit event persons"),
)


@dataclass
class Purged:
    counts: dict[str, int] = field(default_factory=dict)  # rows per kind (see KINDS)
    dropped: list[str] = field(default_factory=list)  # day partitions dropped whole
    created: list[str] = field(default_factory=list)  # day partitions created ahead


def _drop_expired(session: Session, table: str, cutoff: datetime, dry_run: bool,
                  result: Purged) -> int:
    connection = session.connection()
    if not partitions.is_partitioned(connection, table):
        return 0
    rows = 0
    for partition in partitions.expired(connection, table, to_micros(cutoff)):
        result.dropped.append(partition.name)
        if not dry_run:
            rows += partitions.drop(connection, partition)
    if not dry_run:
        session.commit()
    return rows


def _conditions(now: datetime, p: Periods) -> dict[str, tuple[Any, Any]]:
    """The rows each plain kind deletes: (model, condition)."""
    later_dose = aliased(VaccinationRecord)
    old_batches = select(IngestBatch.id).where(IngestBatch.received_at < now - p.scans)
    return {
        "checkins": (Checkin, Checkin.scanned_at < now - p.scans),
        "denied_attempts": (DeniedAttempt, DeniedAttempt.attempted_at < now - p.scans),
        # Only marks whose trace names nobody any more: a repeated push of a trace still
        # whole skips the persons whose mark of it was lifted (tracing.healthcode).
        "contact_marks": (ContactMark, ContactMark.cleared_at.isnot(None)
                          & (ContactMark.cleared_at < now - p.contact_marks)
                          & traces.gone_or_pseudonymised(ContactMark.trace_id)),
        "nucleic_acid_tests": (NucleicAcidTestRecord,
                               NucleicAcidTestRecord.sampled_at < now - p.nucleic_acid_tests),
        # A stay still going on (no left_at) is where the person is now.
        "itineraries": (ItineraryRecord, ItineraryRecord.left_at < now - p.itineraries),
        # A series goes whole, once its latest dose is past the period: the door counts
        # distinct doses, so dropping the early ones alone would unvaccinate the person.
        "vaccinations": (VaccinationRecord, ~exists().where(
            later_dose.id_number == VaccinationRecord.id_number,
            later_dose.vaccinated_at >= now - p.vaccinations)),
        "help_alerts": (HelpAlert, HelpAlert.updated_at < now - p.scans),
        "ingest_rejects": (IngestReject, IngestReject.batch_id.in_(old_batches)),
        "sms_codes": (SmsCode, SmsCode.created_at < now - p.sms_codes),
        "revoked_tokens": (RevokedToken, RevokedToken.expires_at < now),
    }


def _paper_codes(session: Session, now: datetime, p: Periods, dry_run: bool) -> int:
    condition = (PaperCode.revoked_at < now - p.paper_codes) & ~PaperCode.id_number.startswith(
        TOMBSTONE)
    if dry_run:
        return count(session, PaperCode, condition)

    def step(size: int) -> int:
        keys = select(PaperCode.id).where(condition).limit(size).scalar_subquery()
        result = session.execute(
            update(PaperCode).where(condition, PaperCode.id.in_(keys))
            .values(id_number=literal(TOMBSTONE).concat(cast(PaperCode.id, String)))
            .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    return Slicer(session).run(step)


def _audit(session: Session, now: datetime, p: Periods, dry_run: bool,
           counts: dict[str, int]) -> None:
    """Events past the audit period, their persons first (no foreign key between them).

    A service desk's binding (`identity.desk_bound`) stays: it is the proof that lets a
    binding whose phone differs from the registry's stand (`people.binding_audit`)."""
    old = (AuditEvent.at < now - p.audit) & (
        AuditEvent.action != AuditAction.IDENTITY_DESK_BOUND.value)
    if dry_run:
        counts["audit_events"] = count(session, AuditEvent, old)
        counts["audit_subjects"] = count(session, AuditSubject, AuditSubject.event_id.in_(
            select(AuditEvent.id).where(old)))
        return
    subjects = 0
    postgres = session.get_bind().dialect.name == "postgresql"

    def step(size: int) -> int:
        nonlocal subjects
        ids = list(session.scalars(select(AuditEvent.id).where(old).limit(size)))
        if ids:
            subjects += (_delete_subjects_postgres(session, ids) if postgres else int(
                session.execute(delete(AuditSubject).where(AuditSubject.event_id.in_(ids)))
                .rowcount or 0))  # type: ignore[attr-defined]
            session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids))
                            .execution_options(synchronize_session=False))
        return len(ids)

    # A trace run's event carries tens of thousands of persons: small first slices.
    counts["audit_events"] = Slicer(session, first=20, least=1, most=2_000).run(step)
    counts["audit_subjects"] = subjects


_DELETE_SUBJECTS = text(
    "WITH gone AS (DELETE FROM audit_subjects WHERE event_id = ANY(CAST(:ids AS bigint[]))"
    " RETURNING ctid)"
    " SELECT count(*), array_agg(DISTINCT (ctid::text::point)[0]::bigint / :pages) FROM gone")
_DESUMMARISE = text("SELECT brin_desummarize_range("
                    "CAST('ix_audit_subjects_event_id' AS regclass), :block)")


def _delete_subjects_postgres(session: Session, ids: list[int]) -> int:
    """Delete the events' persons and desummarise the BRIN ranges they lived in: new rows
    refill those pages, and a summary widened to both old and new event ids would match
    every later purge's events. VACUUM summarises the ranges again from what is left."""
    rows, ranges = session.execute(_DELETE_SUBJECTS, {"ids": ids,
                                                      "pages": EVENT_RANGE_PAGES}).one()
    for first in ranges or ():
        session.execute(_DESUMMARISE, {"block": first * EVENT_RANGE_PAGES})
    return int(rows)


def _read_trace(session: Session, trace_id: int, dry_run: bool
                ) -> tuple[dict[str, Any], datetime] | None:
    """A trace's stored result, parsed after the read's transaction ended (a large result
    takes a while to parse, and on SQLite that transaction holds the write lock)."""
    row = session.execute(select(Trace.result_json, Trace.as_of).where(
        Trace.id == trace_id, Trace.pseudonymised_at.is_(None))).first()
    if not dry_run:
        session.commit()
    if row is None:
        return None
    payload: dict[str, Any] = orjson.loads(row[0])
    return payload, row[1]


def _traces(session: Session, now: datetime, p: Periods, dry_run: bool,
            counts: dict[str, int]) -> None:
    cutoff = now - p.scans
    measured: dict[int, datetime] = {}  # dry run: traces stored before evidence_from
    for trace_id in list(session.scalars(select(Trace.id).where(traces.unmeasured()))):
        read = _read_trace(session, trace_id, dry_run)
        if read is None:
            continue
        measured[trace_id] = traces.earliest_in_payload(*read)
        if not dry_run:
            traces.set_evidence_from(session, trace_id, measured[trace_id])
            session.commit()
    due = list(session.scalars(select(Trace.id).where(traces.due(cutoff))))
    counts["traces_held"] = count(session, Trace, traces.held(cutoff))
    if dry_run:
        # Unmeasured traces are not in `due` yet (nothing was written); open marks hold them too.
        open_marks = set(session.scalars(select(ContactMark.trace_id).where(
            ContactMark.cleared_at.is_(None), ContactMark.trace_id.in_(list(measured)))))
        due += [t for t, at in measured.items() if at < cutoff and t not in open_marks]
    if not dry_run:
        session.commit()
    done = evidence = 0
    for trace_id in due:
        read = _read_trace(session, trace_id, dry_run)
        if read is None:
            continue  # pseudonymised by another run meanwhile
        payload = read[0]
        if dry_run or traces.pseudonymise(session, trace_id, payload, now):
            done += 1
            evidence += traces.evidence_count(payload)
        if not dry_run:
            session.commit()
    counts["traces"], counts["trace_evidence"] = done, evidence


def purge(session: Session, actor: Actor, now: datetime, periods: Periods | int,
          dry_run: bool = False) -> Purged:
    """Delete or pseudonymise what is past its period; counts per kind (audited).

    `periods` as a number of days is the scan period with every other period at its
    default. Commits as it goes (slices), except in a dry run, which only counts.
    """
    p = periods if isinstance(periods, Periods) else Periods.defaults(periods)
    result = Purged()
    counts = result.counts
    conditions = _conditions(now, p)

    def plain(kind: str) -> None:
        model, condition = conditions[kind]
        counts[kind] = (count(session, model, condition) if dry_run
                        else delete_rows(session, model, condition))

    steps: dict[str, Callable[[], None]] = {
        "traces": lambda: _traces(session, now, p, dry_run, counts),
        "paper_codes": lambda: counts.__setitem__(
            "paper_codes", _paper_codes(session, now, p, dry_run)),
        "audit_events": lambda: _audit(session, now, p, dry_run, counts),
    }
    for table in ("checkins", "denied_attempts"):
        dropped = _drop_expired(session, table, now - p.scans, dry_run, result)
        plain(table)
        counts[table] += dropped
    for kind, _zh, _en in KINDS:
        if kind in steps:
            steps[kind]()
        elif kind in conditions and kind not in counts:
            plain(kind)
    if not dry_run:
        result.created = partitions.maintain(session.connection(), now, p.scans.days)
        record(session, actor, AuditAction.RETENTION_PURGED, "retention", now.date().isoformat(),
               counts=counts, partitions_dropped=result.dropped)
        session.commit()
    return result
