"""API shapes for help-scan, ID-card readings, paper codes and the venue sentinel."""

from __future__ import annotations

from pydantic import BaseModel, Field

from venuecode.assist.gate_devices import LABEL_MAX, MAX_BATCH
from venuecode.assist.identify import Method


class HelpPersonIn(BaseModel):
    method: Method
    card_number: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=64)
    # The paper code's QR text (URL or bare token), decoded by the client or by
    # POST /api/v1/assist/decode-qr.
    qr_text: str | None = Field(default=None, max_length=300)


class HelpRequest(BaseModel):
    venue_code: str = Field(max_length=300)
    # The limit of 5 is checked in the service, to answer with its own clear message.
    persons: list[HelpPersonIn] = Field(min_length=1, max_length=50)


class ReasonOut(BaseModel):
    code: str
    message: str


class HelpedOut(BaseModel):
    method: str
    name: str | None
    id_number: str  # masked
    decision: str
    health_color: str | None
    reasons: list[ReasonOut]
    entry_id: int | None
    repeat: bool
    scanned_at: str


class HelpResponse(BaseModel):
    venue_id: str
    venue_name: str
    sub_area: str | None
    persons: list[HelpedOut]
    helped_today: int


class ProblemOut(BaseModel):
    code: str
    message: str


class IdCardReadingOut(BaseModel):
    """An ID-card reading to show the helper for confirmation; nothing is stored."""

    id_number: str | None
    name: str | None
    confidence: float
    problems: list[ProblemOut]


class QrTextOut(BaseModel):
    text: str


class PaperCodeRequest(BaseModel):
    id_number: str = Field(max_length=32)
    name: str = Field(max_length=64)


class PaperCodeStatus(BaseModel):
    name: str | None  # masked
    id_number: str  # masked
    issue: int
    health_color: str | None  # the CURRENT colour, looked up now
    color_since: str | None


class SentinelItem(BaseModel):
    """One check-in queued on a gate device while it was offline."""

    client_id: str = Field(min_length=1, max_length=64)
    scanned_at: str = Field(max_length=40)
    qr_text: str | None = Field(default=None, max_length=300)
    qr_image: str | None = Field(default=None, max_length=2_000_000)  # base64 or data: URL
    id_number: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=64)
    card_number: str | None = Field(default=None, max_length=32)


class SentinelUpload(BaseModel):
    checkins: list[SentinelItem] = Field(
        max_length=MAX_BATCH, description=f"At most {MAX_BATCH} items a call; send a longer "
        "queue in several calls.")


class SentinelItemResult(BaseModel):
    """One queued item's fate. No verdict and no health colour: the gate showed none
    when it queued the item, and an upload is no way to look people's codes up."""

    client_id: str
    status: str  # stored | duplicate | rejected
    code: str | None = None  # why it was rejected
    message: str | None = None


class SentinelUploadResult(BaseModel):
    stored: int
    duplicates: int
    rejected: int
    results: list[SentinelItemResult]


class SentinelScanOut(BaseModel):
    decision: str
    health_color: str | None
    name: str | None
    id_number: str
    reasons: list[ReasonOut]
    scanned_at: str
    repeat: bool


class HelpAlertOut(BaseModel):
    id: int
    helper_user_id: int
    day: str
    distinct_persons: int
    district: str
    created_at: str


class PaperCodeForm(BaseModel):
    """The paper-code page (a FastAPI `Form()` model); `title` is the label shown."""

    action: str  # the button pressed: issue, reissue or revoke
    id_number: str = Field(max_length=32, title="ID number")
    name: str = Field(max_length=64, title="Name")


class GateDeviceIn(BaseModel):
    label: str = Field(min_length=1, max_length=LABEL_MAX, title="Device name",
                       description="What the venue calls this gate, e.g. 东门1号")


class GateDeviceOut(BaseModel):
    id: int
    label: str
    prefix: str  # the key's first characters, to tell keys apart; never the key
    created_at: str
    created_by: int | None
    revoked_at: str | None
    last_used_at: str | None
    active: bool


class GateDeviceIssued(GateDeviceOut):
    key: str = Field(description="The device key: shown only in this answer. Send it as "
                     "X-Device-Key from the gate device.")
