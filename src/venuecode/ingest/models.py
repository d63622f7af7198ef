"""Ingest batches: one row per imported file or push, with counts and rejects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant


class IngestBatch(Base):
    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    # file | push
    channel: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(Instant())
    finished_at: Mapped[datetime | None] = mapped_column(Instant())
    # running | done | failed | interrupted (its process ended first: ingest.interrupted)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    replaced: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The process writing a running batch, and when it last committed a chunk: how a
    # later import tells a batch still being written from one whose process was killed.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(Instant())


class IngestReject(Base):
    __tablename__ = "ingest_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    # Row number in the file (header = row 1) or index in the pushed list.
    position: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)
    # The raw record as received, truncated; kept for the operator to fix and resend.
    raw: Mapped[str] = mapped_column(Text)
