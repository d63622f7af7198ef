"""People: the population registry (from the `persons` feed) and user accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant
from venuecode.models_base import ID_NUMBER, Provenance


class Person(Provenance, Base):
    """A resident as the population registry knows them (data kind `persons`)."""

    __tablename__ = "persons"

    id_number: Mapped[str] = mapped_column(ID_NUMBER, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    # Place of residence (data interfaces 1.1): tracing's call lists group by district.
    district: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(200))


class User(Base):
    """An account: a citizen signing in by phone, or staff with a role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    role: Mapped[str] = mapped_column(String(32), default="citizen")
    display_name: Mapped[str] = mapped_column(String(64), default="")
    # Real-name binding (实名): set once the citizen binds an identity.
    id_number: Mapped[str | None] = mapped_column(ID_NUMBER, unique=True)
    real_name: Mapped[str | None] = mapped_column(String(64))
    # Second factor for tracers and admins (argon2 hash).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to invalidate every access token issued before (sign-out everywhere).
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Instant())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SmsCode(Base):
    """A one-time sign-in code sent by SMS; stored hashed, single use, short-lived."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Instant())
    expires_at: Mapped[datetime] = mapped_column(Instant())
    used_at: Mapped[datetime | None] = mapped_column(Instant())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ip: Mapped[str | None] = mapped_column(String(64), index=True)


class RevokedToken(Base):
    """An access token signed out before it expired (`people.auth.revoke_token`).

    Read in the same select as the account, so the check costs no round trip; rows go
    once the token would have expired anyway.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(Instant(), index=True)
