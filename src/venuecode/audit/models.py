"""Append-only audit events: every read or change of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant
from venuecode.models_base import ID_NUMBER


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(Instant())
    # "user:12", "apikey:3", "system", "cli:root"
    actor: Mapped[str] = mapped_column(String(64), index=True)
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(64))


EVENT_RANGE_PAGES = 128  # heap pages per BRIN range of ix_audit_subjects_event_id


class AuditSubject(Base):
    """The persons one audit event read: a trace of 47,000 contacts is one event and
    47,000 of these rows, written in bulk (`audit.subjects.add_subjects`, never ORM
    objects). The key leads with the person, so a citizen's access log is one index
    range. The retention purge deletes events after `VENUECODE_AUDIT_RETENTION_DAYS`
    and their rows here by `event_id`: a BRIN index on PostgreSQL (rows arrive in event
    order; a btree one made a 47,000-person COPY 76% slower, BRIN 8%:
    bench/retention/README.md), a plain one on SQLite. The purge desummarises the ranges
    it empties, so pages refilled with new events do not widen old summaries.

    No foreign key to `audit_events`: its per-row check doubled the cost of a large
    trace's rows on PostgreSQL (bench/tracing/README.md), and the one writer inserts the
    rows after their event, in its transaction; only the purge deletes, subjects first."""

    __tablename__ = "audit_subjects"
    __table_args__ = (Index("ix_audit_subjects_event_id", "event_id", postgresql_using="brin",
                            postgresql_with={"pages_per_range": EVENT_RANGE_PAGES}),)

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
