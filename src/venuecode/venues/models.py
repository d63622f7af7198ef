"""Venue registry tables: venues and their sub-areas, each with its own code."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from venuecode.db import Base, Instant


class VenueStatus(enum.StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The identifier the issuing system knows the venue by, printed under the code.
    venue_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(64), default="", index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    manager_name: Mapped[str] = mapped_column(String(64), default="")
    manager_phone: Mapped[str] = mapped_column(String(20), default="")
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    dwell_minutes: Mapped[int | None] = mapped_column(Integer)
    test_window_hours: Mapped[int | None] = mapped_column(Integer)
    require_full_vaccination: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default=VenueStatus.APPLIED.value)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # Why the district withdrew the code, shown to the manager (the history keeps every step).
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped on every (re-)issue; a token naming an older issue no longer works.
    code_issue: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Instant())
    decided_at: Mapped[datetime | None] = mapped_column(Instant())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sub_areas: Mapped[list[SubArea]] = relationship(
        back_populates="venue", order_by="SubArea.id", cascade="all, delete-orphan"
    )


class ReviewKind(enum.StrEnum):
    APPLIED = "applied"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class VenueReview(Base):
    """One step of a venue's application, append-only: each submission with what was
    submitted, and each decision with its reason. A rejected application edited and sent
    again keeps the earlier versions and the reasons they were refused for."""

    __tablename__ = "venue_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_pk: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    at: Mapped[datetime] = mapped_column(Instant())
    kind: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # The application as submitted (JSON), for applied and resubmitted steps.
    application: Mapped[str | None] = mapped_column(Text)


class SubArea(Base):
    """A part of a venue with its own code: a metro carriage, a restaurant room."""

    __tablename__ = "venue_sub_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_pk: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    code_issue: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    venue: Mapped[Venue] = relationship(back_populates="sub_areas")
