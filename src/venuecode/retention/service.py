"""Delete personal data after its retention period (named periods, one place).

Scan data (check-ins and denied attempts) is kept `retention_days` (default 28: the 14
days tracing can look back, twice over); sign-in codes for a day; rejected import rows
(which hold raw personal records) as long as scan data. Audit events are kept: they are
the record of who looked at personal data, and hold no health data themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.people.models import SmsCode
from venuecode.scans.models import Checkin, DeniedAttempt

SMS_CODE_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class RetentionPeriod:
    name: str
    model: type
    column: ColumnElement[datetime]
    keep: timedelta


def periods(retention_days: int) -> list[RetentionPeriod]:
    scans = timedelta(days=retention_days)
    return [
        RetentionPeriod("checkins", Checkin, Checkin.scanned_at, scans),  # type: ignore[arg-type]
        RetentionPeriod("denied_attempts", DeniedAttempt, DeniedAttempt.attempted_at, scans),  # type: ignore[arg-type]
        RetentionPeriod("sms_codes", SmsCode, SmsCode.created_at, SMS_CODE_RETENTION),  # type: ignore[arg-type]
    ]


def purge(session: Session, actor: Actor, now: datetime, retention_days: int,
          dry_run: bool = False) -> dict[str, int]:
    """Delete rows older than their period; returns counts per table (audited)."""
    counts: dict[str, int] = {}
    for period in periods(retention_days):
        cutoff = now - period.keep
        condition = period.column < cutoff
        if dry_run:
            counts[period.name] = session.scalar(
                select(func.count()).select_from(period.model).where(condition)) or 0
        else:
            counts[period.name] = session.execute(
                delete(period.model).where(condition)).rowcount or 0  # type: ignore[attr-defined]
    old_batches = select(IngestBatch.id).where(
        IngestBatch.received_at < now - timedelta(days=retention_days))
    reject_filter = IngestReject.batch_id.in_(old_batches)
    if dry_run:
        counts["ingest_rejects"] = session.scalar(
            select(func.count(IngestReject.id)).where(reject_filter)) or 0
    else:
        counts["ingest_rejects"] = session.execute(
            delete(IngestReject).where(reject_filter)).rowcount or 0  # type: ignore[attr-defined]
        record(session, actor, AuditAction.RETENTION_PURGED, "retention", now.date().isoformat(),
               counts=counts)
    return counts
