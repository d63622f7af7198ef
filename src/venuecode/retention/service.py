"""Delete personal data after its retention period (named periods, one place).

Scan data (check-ins and denied attempts) is kept `retention_days` (default 28: the 14
days tracing can look back, twice over); sign-in codes for a day; rejected import rows
(which hold raw personal records) as long as scan data. Audit events are kept: they are
the record of who looked at personal data, and hold no health data themselves.

On PostgreSQL scan data is partitioned by UTC day (`venuecode.scans.partitions`): day
partitions entirely past the cut-off are dropped whole, and rows are deleted one by one
only where the cut-off falls (the edge day's partition, and the default partition), so the
cut-off stays exact to the instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.people.models import SmsCode
from venuecode.scans import partitions
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.timeutil import to_micros

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


@dataclass
class Purged:
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
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
    return rows


def purge(session: Session, actor: Actor, now: datetime, retention_days: int,
          dry_run: bool = False) -> Purged:
    """Delete rows older than their period; returns counts per table (audited)."""
    result = Purged()
    counts = result.counts
    for period in periods(retention_days):
        cutoff = now - period.keep
        condition = period.column < cutoff
        if dry_run:
            _drop_expired(session, period.name, cutoff, True, result)
            counts[period.name] = session.scalar(
                select(func.count()).select_from(period.model).where(condition)) or 0
        else:
            dropped = _drop_expired(session, period.name, cutoff, False, result)
            counts[period.name] = dropped + (session.execute(
                delete(period.model).where(condition)).rowcount or 0)  # type: ignore[attr-defined]
    old_batches = select(IngestBatch.id).where(
        IngestBatch.received_at < now - timedelta(days=retention_days))
    reject_filter = IngestReject.batch_id.in_(old_batches)
    if dry_run:
        counts["ingest_rejects"] = session.scalar(
            select(func.count(IngestReject.id)).where(reject_filter)) or 0
    else:
        counts["ingest_rejects"] = session.execute(
            delete(IngestReject).where(reject_filter)).rowcount or 0  # type: ignore[attr-defined]
        result.created = partitions.maintain(session.connection(), now, retention_days)
        record(session, actor, AuditAction.RETENTION_PURGED, "retention", now.date().isoformat(),
               counts=counts, partitions_dropped=result.dropped)
    return result
