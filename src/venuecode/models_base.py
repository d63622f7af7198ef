"""Column helpers shared by the capability models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Instant

ID_NUMBER = String(18)


class Provenance:
    """Where a record from another department came from: source, batch, received time."""

    source: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=False)
    received_at: Mapped[datetime] = mapped_column(Instant())
