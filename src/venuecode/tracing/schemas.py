"""Request and response bodies of the tracing API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator


class TraceBody(BaseModel):
    cases: list[str] | None = Field(default=None, description="Case id numbers from the registry")
    all_cases: bool = Field(default=False, description="Trace every case in the registry")
    as_of: str | None = Field(default=None, description="ISO 8601; without offset local time; default now")
    look_back_days: float | None = Field(default=None, ge=0)
    close_minutes: float | None = Field(default=None, gt=0)
    depth: int | None = Field(default=None, ge=1, le=5)
    dwell_minutes: dict[str, float] | None = Field(
        default=None, description="Stay length in minutes per venue category for this trace, e.g. {\"metro\": 10}")
    # Required: whoever looks at personal data says why (kept in the audit log).
    reason: str = Field(min_length=2, max_length=500)

    @model_validator(mode="after")
    def _cases_or_all(self) -> TraceBody:
        if bool(self.cases) == self.all_cases:
            raise ValueError("give either a non-empty 'cases' list or 'all_cases': true")
        if not self.reason.strip():
            raise ValueError("'reason' must say why the trace is run")
        return self


class TraceSummary(BaseModel):
    id: int
    created_at: datetime
    actor: str
    reason: str
    as_of: datetime
    cases: list[str]
    contacts: int
    venues: int
    seconds: float | None


class TraceOut(TraceSummary):
    result: dict[str, Any]


# --- HTML forms (FastAPI `Form()` models) ---------------------------------------------
# Fields stay text as typed: the pages check them and re-render the form with a message
# naming the field, and the service checks reasons (2 to 500 characters) for every caller.
# `title` is the field's label on the page (a message id of the catalogue).


class TraceForm(BaseModel):
    """The new-trace page (`/tracing/new`)."""

    cases: str = Field(default="", title="Cases (ID numbers, one per line; several cases trace an outbreak)")
    as_of: str = Field(default="", title="As of (empty: now)")
    reason: str = Field(default="", title="Reason (required, kept in the audit log)")
    look_back_days: str = Field(default="", title="Look-back (days before onset)")
    close_minutes: str = Field(default="", title="Close contact threshold (minutes)")
    depth: str = Field(default="", title="Chain depth (2 = secondary contacts)")
    dwell: str = Field(default="", title="Stay per venue category in minutes, e.g. metro=10, "
                                         "office=240 (empty: the category table)")


class PushRequestForm(BaseModel):
    """A health-code push request: the tiers ticked, persons excluded and added, a note."""

    tiers: list[str] = Field(default_factory=list, title="Tiers to push", max_length=50)
    exclude: str = Field(default="", title="Persons to exclude", max_length=200_000)
    add: str = Field(default="", title="Persons to add", max_length=200_000)
    note: str = Field(default="", title="Note", max_length=500)


class ApproveForm(BaseModel):
    """Approving a push: the count of persons the supervisor saw and confirms."""

    persons: int | None = Field(default=None, title="Persons confirmed", ge=0, le=2**31 - 1)


class ReasonForm(BaseModel):
    """Lifting marks: the reason goes into the audit log."""

    reason: str = Field(default="", title="Reason for lifting")


class RejectForm(BaseModel):
    """Rejecting a push request; `back` is a fixed choice of page, never a URL."""

    reason: str = Field(default="", title="Reason for rejection")
    back: str = Field(default="", title="Back to tracing")
