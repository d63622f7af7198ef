"""A citizen's own scan history, one page at a time: entries and denied attempts together.

Newest first, `PER_PAGE` a page, counted so the page can number its pages. Denied
attempts keep only their reason codes (`scans/pipeline.py`); `REASON_WORDS` names each in
a few words (English message ids, translated by the page), never the code itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.venues.models import Venue

PER_PAGE = 20

# Short words for a denied attempt's reasons (the full sentences need details the attempt
# does not keep). English message ids: the template translates them.
REASON_WORDS: dict[str, str] = {
    "tracing_case": "Confirmed or asymptomatic case",
    "test_positive": "Positive test",
    "health_code_red": "Red health code",
    "tracing_close": "Close contact",
    "tracing_secondary": "Contact of a close contact",
    "risk_area_high": "Was in a high-risk area",
    "health_code_yellow": "Yellow health code",
    "tracing_tertiary": "Met a contact of a close contact",
    "risk_area_medium": "Was in a medium-risk area",
    "tracing_general": "General contact",
    "no_health_code": "No health code found",
    "test_pending": "Test result not out yet",
    "test_expired": "Test too old for this venue",
    "test_missing": "No negative test found",
    "vaccination_incomplete": "Not enough vaccine doses",
    "test_expires_soon": "Test expires soon",
    "test_sampled_in_future": "A test record with a time in the future",
}
OTHER_REASON = "Other reason"
# How the entry was made, when not by the person's own scan.
CHANNEL_WORDS: dict[str, str] = {"help": "Checked in by help-scan",
                                 "sentinel": "Checked in at the venue's gate"}


@dataclass(frozen=True)
class HistoryItem:
    passed: bool
    venue_name: str
    at: datetime
    exited_at: datetime | None
    reasons: list[str]  # English message ids (REASON_WORDS)
    channel: str | None  # English message id (CHANNEL_WORDS), None for the person's own scan


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    page: int
    pages: int
    total: int


def reason_words(codes: str) -> list[str]:
    return [REASON_WORDS.get(code, OTHER_REASON) for code in codes.split(",") if code]


def history_page(session: Session, id_number: str, page: int) -> HistoryPage:
    """Page `page` (from 1; past the end: the last page) of this person's history."""
    entries = (select(literal(True).label("passed"), Checkin.venue_pk.label("venue_pk"),
                      Checkin.scanned_at.label("at"), Checkin.checked_out_at.label("exited_at"),
                      literal("").label("reasons"), Checkin.channel.label("channel"),
                      Checkin.id.label("row_id"))
               .where(Checkin.id_number == id_number))
    denied = (select(literal(False).label("passed"), DeniedAttempt.venue_pk.label("venue_pk"),
                     DeniedAttempt.attempted_at.label("at"),
                     literal(None).label("exited_at"), DeniedAttempt.reasons.label("reasons"),
                     DeniedAttempt.channel.label("channel"), DeniedAttempt.id.label("row_id"))
              .where(DeniedAttempt.id_number == id_number))
    both = union_all(entries, denied).subquery()
    total = session.scalar(select(func.count()).select_from(both)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(both, Venue.name).join(Venue, Venue.id == both.c.venue_pk)
        .order_by(both.c.at.desc(), both.c.row_id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    items = [HistoryItem(passed=bool(r.passed), venue_name=r.name, at=r.at,
                         exited_at=r.exited_at, reasons=reason_words(r.reasons or ""),
                         channel=CHANNEL_WORDS.get(r.channel or ""))
             for r in rows]
    return HistoryPage(items, page, pages, total)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links to show: the first, the last and `around` either side; None is a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    previous = 0
    for number in shown:
        if previous and number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out
