"""The scan: verify the code, gather the person's facts, apply the policy, record the entry.

One transaction: a pass is a check-in (presence, what tracing reads); a deny is a denied
attempt with its reasons. A second scan of the same venue within
`scan_repeat_minutes` returns the first entry instead of recording another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.config import Settings
from venuecode.errors import Conflict, NotFound, RateLimited
from venuecode.facts.repository import active_risk_areas, person_facts
from venuecode.policy.engine import Decision, evaluate
from venuecode.scans.hotpath import (
    RiskAreaCache,
    ScanRead,
    decide_and_record,
    read_scan,
    requirements_of,
)
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.succession import relink
from venuecode.timeutil import to_micros
from venuecode.venues.models import SubArea, Venue
from venuecode.venues.service import CodeSigner, ResolvedCode, resolve_code
from venuecode.venues.tokens import verify_code

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
    requirements = requirements_of(settings, venue)
    facts = person_facts(session, id_number, now)
    risks = active_risk_areas(session, now, timedelta(days=requirements.risk_lookback_days))
    return evaluate(facts, requirements, risks, now)


def record_entry(session: Session, settings: Settings, venue: Venue, sub_area: SubArea | None,
                 id_number: str, decision: Decision, now: datetime, channel: str = "scan",
                 helper_user_id: int | None = None) -> tuple[int | None, bool, datetime]:
    """Store a pass as a check-in (unless a repeat) or a deny as a denied attempt."""
    if decision.verdict == "pass":
        since = now - timedelta(minutes=settings.scan_repeat_minutes)
        earlier = session.execute(
            select(Checkin.id, Checkin.scanned_at)
            .where(Checkin.id_number == id_number, Checkin.scanned_at >= since,
                   Checkin.scanned_at <= now, Checkin.venue_pk == venue.id)
            .order_by(Checkin.scanned_at.desc()).limit(1)
        ).first()
        if earlier is not None:
            return earlier.id, True, earlier.scanned_at
        entry = Checkin(id_number=id_number, venue_pk=venue.id,
                        sub_area_pk=sub_area.id if sub_area else None, scanned_at=now,
                        channel=channel, helper_user_id=helper_user_id)
        session.add(entry)
        session.flush()
        relink(session.connection(), [(id_number, to_micros(now))])
        return entry.id, False, now
    attempt = DeniedAttempt(
        id_number=id_number, venue_pk=venue.id, sub_area_pk=sub_area.id if sub_area else None,
        attempted_at=now, reasons=",".join(r.code for r in decision.denying_reasons),
        health_color=decision.panels.health_code.color, channel=channel,
        helper_user_id=helper_user_id,
    )
    session.add(attempt)
    session.flush()
    return None, False, now


def scan(session: Session, settings: Settings, signer: CodeSigner, id_number: str | None,
         name: str | None, venue_code: str, now: datetime, flood_key: str,
         limiter: Limiter) -> ScanOutcome:
    if id_number is None:
        raise IdentityRequired()
    check_flood(limiter, flood_key)
    claims = verify_code(signer.key, signer.key_id, venue_code)
    read = read_scan(session.connection(), claims, now, settings.scan_repeat_minutes,
                     id_number=id_number)
    return record_scan(session.connection(), settings, read, read.resolve(claims), id_number,
                       name, now, None)


def record_scan(connection: Connection, settings: Settings, read: ScanRead,
                resolved: ResolvedCode, id_number: str, name: str | None, now: datetime,
                risks: RiskAreaCache | None) -> ScanOutcome:
    """Decide and store what `read_scan` found: the same decisions and rows as `decide` +
    `record_entry`, in at most one more statement (see `scans.hotpath`)."""
    decision, entry_id, repeat, at = decide_and_record(connection, settings, read, resolved,
                                                       id_number, now, risks)
    return ScanOutcome(decision, resolved.venue, resolved.sub_area, at, entry_id, repeat,
                       id_number, name)


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
