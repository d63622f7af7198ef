"""Stored traces and the actions a supervisor approves on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from venuecode.db import Base, Instant


class Trace(Base):
    """One run of the tracing engine: who ran it, why, on which cases, and its result.

    `result_json` holds `tracing.core.result_to_json_dict(...)` exactly as the API returns
    it, so a trace can be shown, exported and acted on later without recomputing.
    """

    __tablename__ = "traces"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Instant())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[datetime] = mapped_column(Instant())
    # JSON list of the case id numbers, and JSON of the options given.
    cases: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="done")
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    venues: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column()
    result_json: Mapped[str] = mapped_column(Text, default="{}")
    # Retention (`tracing.retention`): the earliest instant the result names, and when the
    # purge replaced the persons and their venue-time evidence by counts.
    evidence_from: Mapped[datetime | None] = mapped_column(Instant())
    pseudonymised_at: Mapped[datetime | None] = mapped_column(Instant())

    def result(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.result_json)
        return value


class TraceAction(Base):
    """A request to push health-code changes for a trace's contacts, and its approval.

    The tracer requests; a supervisor who is not the requester approves (four eyes).
    """

    __tablename__ = "trace_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_id: Mapped[int] = mapped_column(ForeignKey("traces.id"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(Instant())
    # requested | reviewed (first of two approvals) | applied | failed | rejected | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="requested")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(Instant())
    note: Mapped[str] = mapped_column(Text, default="")
    # JSON: {"red": n, "yellow": n} pushed, and any failures; a rejection's {"reason": ...}.
    outcome: Mapped[str] = mapped_column(Text, default="{}")
    # What the push covers (`tracing.push_scope.PushScope` as JSON) and its counts
    # {tier: {colour: n}}, fixed at the request: the approver confirms exactly these.
    scope: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    counts: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    persons: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A push to more than `push_review_persons` needs two supervisors: the first one here.
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(Instant())

    def scope_json(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.scope or "{}")
        return value

    def counts_json(self) -> dict[str, dict[str, int]]:
        value: dict[str, dict[str, int]] = orjson.loads(self.counts or "{}")
        return value
