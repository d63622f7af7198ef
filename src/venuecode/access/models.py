"""API keys for other departments' systems (data sources)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, shown in listings; the key itself is never stored.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    # Comma-separated data kinds this key may push.
    kinds: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(Instant())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(Instant())
    # The last push with this key, to the minute (`ingest.sources.mark_used`).
    last_used_at: Mapped[datetime | None] = mapped_column(Instant())
