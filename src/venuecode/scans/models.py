"""Check-ins (admitted presence, the input of tracing) and denied entry attempts.

Denied attempts live in their own table: tracing scans `checkins` over tens of millions
of rows and must never count a refused person as present.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant
from venuecode.models_base import ID_NUMBER

BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")

# On PostgreSQL both tables are partitioned by day on their time column
# (`venuecode.scans.partitions`, migration d41c7e2a9b05) and their primary key there is
# (id, time), as PostgreSQL requires of a partitioned table's unique keys. The models keep
# the SQLite shape, `id` alone, on purpose: SQLite numbers rows only for a single-column
# INTEGER PRIMARY KEY, ids stay unique through the shared sequence, and nothing refers to
# them by foreign key. The partitioning lives in the migration, not in these tables:
# Alembic's schema comparison (the drift test) compares neither primary keys nor
# partitioning, and skips the partitions themselves (`venuecode.migrate.include_name`).


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        # Partitioned by day on scanned_at on PostgreSQL (see above): this key holds
        # scanned_at, so it stays a unique key there. The natural key of the `checkins`
        # data kind; (id_number, scanned_at) first so the same index answers "this
        # person's next check-in" for the tracing rules.
        UniqueConstraint("id_number", "scanned_at", "venue_pk"),
        # Tracing reads "everyone at this venue in this window" with rule 2's inputs;
        # every column it needs is in the index, so those reads never touch the table.
        Index("ix_checkins_venue_presence", "venue_pk", "scanned_at", "id_number", "checked_out_at",
              "next_scanned_at"),
    )

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER)
    venue_pk: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    sub_area_pk: Mapped[int | None] = mapped_column(ForeignKey("venue_sub_areas.id"))
    scanned_at: Mapped[datetime] = mapped_column(Instant())
    checked_out_at: Mapped[datetime | None] = mapped_column(Instant())
    # The person's next check-in at any venue (or this instant when they also scanned
    # another venue at this instant), kept by `venuecode.scans.succession` on every write.
    next_scanned_at: Mapped[datetime | None] = mapped_column(Instant())
    # scan | help | sentinel | import
    channel: Mapped[str] = mapped_column(String(16), default="scan")
    helper_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))


class DeniedAttempt(Base):
    __tablename__ = "denied_attempts"
    # Partitioned by day on attempted_at on PostgreSQL (see above).
    __table_args__ = (Index("ix_denied_attempts_venue_time", "venue_pk", "attempted_at"),)

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(ID_NUMBER, index=True)
    venue_pk: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    sub_area_pk: Mapped[int | None] = mapped_column(ForeignKey("venue_sub_areas.id"))
    attempted_at: Mapped[datetime] = mapped_column(Instant())
    # Comma-separated reason codes, e.g. "red_code,test_expired".
    reasons: Mapped[str] = mapped_column(Text)
    health_color: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16), default="scan")
    helper_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
