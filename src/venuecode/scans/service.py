"""The scan: verify the code, gather the person's facts, apply the policy, record the entry.

What is stored (a check-in, a repeat, or a denied attempt) is the check-in pipeline's
(`scans.pipeline`); this module holds the checks in front of it (`admit`) and the two ways
of reading the facts: the hot path's one select (`read_scan`) and the ORM's (`decide`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.config import Settings
from venuecode.errors import Conflict, NotFound, RateLimited
from venuecode.policy.engine import Decision
from venuecode.scans import pipeline
from venuecode.scans.hotpath import RiskAreaCache, ScanRead, decide_read, read_scan
from venuecode.scans.models import Checkin
from venuecode.scans.store import Attempt, SqlCheckinStore
from venuecode.venues.models import SubArea, Venue
from venuecode.venues.service import CodeSigner, ResolvedCode, resolve_code
from venuecode.venues.tokens import CodeClaims, CodeRefused, verify_venue_code

SCANS_PER_MINUTE = 20
SCAN_FLOOD = Limit("scan", SCANS_PER_MINUTE, 60)  # per account; fails open: check-ins go on


class IdentityRequired(Conflict):
    def __init__(self) -> None:
        super().__init__("identity_required", "扫码登记前请先完成实名认证。",
                         "Please verify your real name before scanning.")


@dataclass(frozen=True)
class ScanOutcome:
    decision: Decision
    venue: Venue
    sub_area: SubArea | None
    scanned_at: datetime
    entry_id: int | None
    repeat: bool
    id_number: str
    name: str | None


def check_flood(limiter: Limiter, key: str) -> None:
    wait = limiter.hit(SCAN_FLOOD, key)
    if wait > 0:
        seconds = int(wait) + 1
        raise RateLimited("scan_too_frequent", f"扫码过于频繁，请{seconds}秒后再试。",
                          f"Too many scans; try again in {seconds} seconds.", seconds)


def decide(session: Session, settings: Settings, venue: Venue, id_number: str,
           now: datetime) -> Decision:
    """The policy's verdict for a person at a venue (help-scan, gate scanner), on the facts
    read by the same one select as every other scan (`read_scan`)."""
    session.flush()  # the select runs on the driver: the session's pending rows first
    read = read_scan(session.connection(), None, now, settings.scan_repeat_minutes,
                     id_number=id_number)
    return decide_read(session.connection(), settings, read.facts, venue, now, None)


def admit(limiter: Limiter, id_number: str | None, flood_key: str,
          refused: CodeRefused | None) -> str:
    """The checks before a scan of one's own is recorded, in the order clients see them:
    identity (409), flood (429), then the code (422). The one place `check_flood` is called."""
    if id_number is None:
        raise IdentityRequired()
    check_flood(limiter, flood_key)
    if refused is not None:
        raise refused
    return id_number


def verify(signer: CodeSigner, venue_code: str) -> tuple[CodeClaims | None, CodeRefused | None]:
    """The venue code's claims, or why it was refused (reported by `admit`, after the rest)."""
    try:
        return verify_venue_code(signer.key, signer.key_id, venue_code), None
    except CodeRefused as exc:
        return None, exc


def scan(session: Session, settings: Settings, signer: CodeSigner, id_number: str | None,
         name: str | None, venue_code: str, now: datetime, flood_key: str,
         limiter: Limiter) -> ScanOutcome:
    """A scan by a signed-in citizen through a page (the API's is `scans.api._scan`)."""
    claims, refused = verify(signer, venue_code)
    id_number = admit(limiter, id_number, flood_key, refused)
    assert claims is not None
    read = read_scan(session.connection(), claims, now, settings.scan_repeat_minutes,
                     id_number=id_number)
    return record_scan(session.connection(), settings, read, read.resolve(claims, signer, now), id_number,
                       name, now, None)


def record_scan(connection: Connection, settings: Settings, read: ScanRead,
                resolved: ResolvedCode, id_number: str, name: str | None, now: datetime,
                risks: RiskAreaCache | None) -> ScanOutcome:
    """Decide on what `read_scan` found and store it through the pipeline; the repeat
    candidate came with the facts, so a pass costs one more round trip, a repeat none."""
    venue, area = resolved.venue, resolved.sub_area
    decision = decide_read(connection, settings, read.facts, venue, now, risks)
    done = pipeline.record(SqlCheckinStore(connection), decision,
                           Attempt(id_number, venue.id, area.id if area else None, now),
                           settings.scan_repeat_minutes, earlier=read.earlier)
    return ScanOutcome(decision, venue, area, done.at, done.entry_id, done.repeat, id_number,
                       name)


def record_decided(session: Session, settings: Settings, decision: Decision,
                   attempt: Attempt) -> pipeline.Recorded:
    """The pipeline in the session's transaction (help-scan, gate scanner): committed by
    the route together with its audit rows."""
    return pipeline.record(SqlCheckinStore(session.connection()), decision, attempt,
                           settings.scan_repeat_minutes)


def exit_scan(session: Session, signer: CodeSigner, id_number: str | None, venue_code: str,
              now: datetime) -> Checkin:
    """离开: record the check-out time on the person's open entry at this venue."""
    if id_number is None:
        raise IdentityRequired()
    resolved = resolve_code(session, signer, venue_code)
    entry = session.scalar(
        select(Checkin).where(Checkin.id_number == id_number,
                              Checkin.venue_pk == resolved.venue.id,
                              Checkin.checked_out_at.is_(None), Checkin.scanned_at < now)
        .order_by(Checkin.scanned_at.desc()).limit(1)
    )
    if entry is None:
        raise NotFound("no_open_entry", "没有找到您在该场所的进入记录。",
                       "There is no entry of yours at this venue to leave.")
    entry.checked_out_at = now
    session.flush()
    return entry
