"""Venue API/service input and output shapes (Pydantic; never the ORM models)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from venuecode.categories import categories

_PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


class VenueApplication(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    category: str
    district: str = Field(min_length=1, max_length=64)
    address: str = Field(default="", max_length=200)
    manager_name: str = Field(min_length=1, max_length=64)
    manager_phone: str
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    sub_areas: list[str] = Field(default_factory=list, max_length=200)
    venue_id: str | None = Field(default=None, min_length=1, max_length=64,
                                 pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in categories():
            raise ValueError(
                f"unknown category {value!r}; use one of the slugs of venue-categories.csv "
                f"(e.g. market, metro, restaurant)"
            )
        return value

    @field_validator("manager_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not _PHONE.match(value):
            raise ValueError("manager_phone must be a mobile number (11 digits starting with 1) "
                             "or a landline such as 0571-87654321")
        return value

    @field_validator("sub_areas")
    @classmethod
    def _sub_areas(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v.strip()]
        for name in cleaned:
            if len(name) > 64:
                raise ValueError(f"sub-area name {name[:20]!r}… is longer than 64 characters")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("sub-area names must be unique within a venue")
        return cleaned


class SubAreaOut(BaseModel):
    id: int
    name: str
    code_url: str | None


class VenueOut(BaseModel):
    id: int
    venue_id: str
    name: str
    category: str
    category_name: str
    district: str
    address: str
    status: str
    rejection_reason: str | None
    revocation_reason: str | None = None
    manager_name: str = ""
    manager_phone: str = ""
    capacity: int | None = None
    code_issue: int
    code_url: str | None
    created_at: datetime
    sub_areas: list[SubAreaOut]


class ReviewOut(BaseModel):
    """One step of a venue's application history: a submission or a decision."""

    kind: str  # applied | resubmitted | approved | rejected | revoked
    at: datetime
    actor_role: str
    reason: str
    application: dict[str, object] | None  # what was submitted (submissions only)


class ReviewReason(BaseModel):
    """The reason an approver gives for rejecting or revoking a venue."""

    model_config = ConfigDict(str_strip_whitespace=True)

    reason: str = Field(default="", max_length=500)


class VenueApplicationForm(BaseModel):
    """The application page's fields as typed (a FastAPI `Form()` model).

    All text, so a bad value re-renders the form with the field named: the page checks
    them as a `VenueApplication`, exactly as the API does. `title` is the field's label on
    the page (a message id of the catalogue).
    """

    name: str = Field(default="", title="Venue name")
    category: str = Field(default="", title="Category")
    district: str = Field(default="", title="District")
    address: str = Field(default="", title="Address")
    manager_name: str = Field(default="", title="Manager name")
    manager_phone: str = Field(default="", title="Manager phone")
    capacity: str = Field(default="", title="Capacity (people)")
    sub_areas: str = Field(default="", title="Sub-areas")

    @classmethod
    def of(cls, venue: VenueOut) -> VenueApplicationForm:
        """The form filled with a venue's current application, to correct and send again."""
        return cls(name=venue.name, category=venue.category, district=venue.district,
                   address=venue.address, manager_name=venue.manager_name,
                   manager_phone=venue.manager_phone,
                   capacity="" if venue.capacity is None else str(venue.capacity),
                   sub_areas="\n".join(a.name for a in venue.sub_areas))

    def application(self) -> dict[str, object]:
        """The `VenueApplication` input: blank optional fields left out, one area a line."""
        fields = {k: v for k, v in self.model_dump(exclude={"sub_areas"}).items()
                  if v.strip() or k == "name"}
        return {**fields, "sub_areas": [line for line in self.sub_areas.splitlines() if line.strip()]}


class DecisionForm(BaseModel):
    """An administrator's reject or revoke button (a FastAPI `Form()` model)."""

    reason: str = Field(default="", title="Reason")
