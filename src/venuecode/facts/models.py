"""Health facts owned by other departments, one table per data kind.

Formats and natural keys are those of shared/spec/data-interfaces.md; every row keeps
its provenance (source, batch, received time).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant
from venuecode.models_base import ID_NUMBER, Provenance


class HealthCodeRecord(Provenance, Base):
    """The current health-code colour of a person (latest `since` wins)."""

    __tablename__ = "health_codes"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    color: Mapped[str] = mapped_column(String(8))
    since: Mapped[datetime] = mapped_column(Instant())
    reason: Mapped[str | None] = mapped_column(String(200))


class NucleicAcidTestRecord(Provenance, Base):
    __tablename__ = "nucleic_acid_tests"
    __table_args__ = (UniqueConstraint("id_number", "sampled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)
    sampled_at: Mapped[datetime] = mapped_column(Instant())
    result: Mapped[str] = mapped_column(String(12))
    reported_at: Mapped[datetime | None] = mapped_column(Instant())
    institution: Mapped[str | None] = mapped_column(String(100))


class VaccinationRecord(Provenance, Base):
    __tablename__ = "vaccinations"
    __table_args__ = (UniqueConstraint("id_number", "dose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)
    dose: Mapped[int] = mapped_column(Integer)
    vaccinated_at: Mapped[datetime] = mapped_column(Instant())
    product: Mapped[str | None] = mapped_column(String(100))


class ItineraryRecord(Provenance, Base):
    __tablename__ = "itineraries"
    __table_args__ = (UniqueConstraint("id_number", "city", "arrived_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)
    city: Mapped[str] = mapped_column(String(64))
    arrived_at: Mapped[datetime] = mapped_column(Instant())
    left_at: Mapped[datetime | None] = mapped_column(Instant())


class RiskAreaRecord(Provenance, Base):
    __tablename__ = "risk_areas"
    __table_args__ = (UniqueConstraint("area", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    since: Mapped[datetime] = mapped_column(Instant())
    until: Mapped[datetime | None] = mapped_column(Instant())


class CitizenCardRecord(Provenance, Base):
    __tablename__ = "citizen_cards"
    __table_args__ = (Index("ix_citizen_cards_id_number", "id_number"),)

    card_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)


class CaseRecord(Provenance, Base):
    """A confirmed or asymptomatic case (the tracing case registry)."""

    __tablename__ = "cases"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    reference_time: Mapped[datetime] = mapped_column(Instant())
    isolated_at: Mapped[datetime | None] = mapped_column(Instant())
    kind: Mapped[str] = mapped_column(String(16), default="confirmed")


class ContactMark(Base):
    """A person flagged by tracing (close, secondary, tertiary or general contact).

    Written when a supervisor approves a trace's actions; the entry policy denies a marked
    person with the instruction stored here until the mark is cleared (a supervisor lifts
    it: `tracing.actions.lift_marks`, who and why kept beside `cleared_at`).
    """

    __tablename__ = "contact_marks"
    __table_args__ = (Index("ix_contact_marks_id_number", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)
    kind: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(Instant())
    instruction: Mapped[str | None] = mapped_column(String(300))
    trace_id: Mapped[int | None] = mapped_column(Integer)
    cleared_at: Mapped[datetime | None] = mapped_column(Instant())
    # The actor label ("user:12", "cli") and reason of the lift, so the mark row alone says
    # why a person is no longer denied (the audit log has it too, per person).
    cleared_by: Mapped[str | None] = mapped_column(String(64))
    cleared_reason: Mapped[str | None] = mapped_column(String(500))
