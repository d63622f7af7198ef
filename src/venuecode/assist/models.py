"""Help-scan tables: paper health codes (健康码代办) and abuse alerts.

Deliberately no table of "persons helped by a helper": a help-scan leaves only the
check-in's `helper_user_id` and the audit event behind (the privacy rule of docs/help-scan.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant
from venuecode.models_base import ID_NUMBER


class PaperCode(Base):
    """One printable personal code per person; `issue` bumps on every re-issue.

    The QR carries only (id, issue) under a MAC, so a lost card is revoked by setting
    `revoked_at` and replaced by bumping `issue`: every older card then fails.
    """

    __tablename__ = "paper_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER, unique=True)
    issue: Mapped[int] = mapped_column(Integer, default=1)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant())
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(Instant())


class HelpAlert(Base):
    """A helper who helped more distinct people in a day than a family would."""

    __tablename__ = "help_alerts"
    __table_args__ = (
        UniqueConstraint("helper_user_id", "day"),
        Index("ix_help_alerts_district_created", "district", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    distinct_persons: Mapped[int] = mapped_column(Integer)
    venue_pk: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    district: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(Instant())
    updated_at: Mapped[datetime] = mapped_column(Instant())


class GateDevice(Base):
    """A venue's registered gate device (数字哨兵) and its key.

    The key is shown once when issued; only its first characters (to find it, and to
    tell keys apart in a listing) and its SHA-256 are kept. A revoked device stays
    listed, so the venue's history of devices is never lost.
    """

    __tablename__ = "gate_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_pk: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Instant())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(Instant())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(Instant())
