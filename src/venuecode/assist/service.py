"""The help-scan use case: check in one helped person with their own verdict, within limits.

Each helped person goes through the same `decide()` and check-in pipeline
(`scans.pipeline`) as a scan of their own, with channel "help" and the helper's user id; the only other trace is the
audit event. Limits: at most `MAX_PER_VISIT` people per visit, per-helper and per-venue
rate limits, and an alert to the district when one account helps more distinct people
in a day than a family would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.assist.identify import Identity
from venuecode.assist.models import HelpAlert
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.config import Settings
from venuecode.errors import Conflict, InvalidInput, RateLimited
from venuecode.people.models import User
from venuecode.policy.engine import Decision
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.service import decide, record_decided
from venuecode.scans.store import Attempt
from venuecode.venues.models import SubArea, Venue

MAX_PER_VISIT = 5
HELPER_PER_HOUR = 30       # a family at a few venues a day stays far below
VENUE_PER_MINUTE = 120     # a busy gate; beyond it something scripted is going on
ALERT_DISTINCT_PER_DAY = 20
HELP_PER_HELPER = Limit("help-helper", HELPER_PER_HOUR, 3600)
HELP_PER_VENUE = Limit("help-venue", VENUE_PER_MINUTE, 60)


@dataclass(frozen=True)
class Helped:
    identity: Identity
    decision: Decision
    entry_id: int | None
    repeat: bool
    scanned_at: datetime


def check_visit(identity: Identity, helper: User, already: Sequence[str],
                key: str | None = None) -> None:
    """Refuse the helper themself, a sixth person and a person already in this visit.

    `already` holds the visit's person keys: ID numbers, or keyed digests of them when
    the visit travels in the page (`visit.py`); `key` is this person's key then.
    """
    if helper.id_number is not None and identity.id_number == helper.id_number:
        raise InvalidInput("help_self", "不能为自己帮扫，请直接扫码登记。",
                           "You cannot help-scan yourself; scan the venue code yourself.")
    if len(already) >= MAX_PER_VISIT:
        raise InvalidInput("help_visit_full", f"每次最多帮{MAX_PER_VISIT}人扫码。",
                           f"At most {MAX_PER_VISIT} people can be helped per scan.")
    if (key or identity.id_number) in already:
        raise Conflict("help_duplicate", "此人本次已登记，请勿重复添加。",
                       "This person is already checked in on this visit.")


def check_rate(limiter: Limiter, helper_id: int, venue_pk: int) -> None:
    for limit, key in ((HELP_PER_HELPER, str(helper_id)), (HELP_PER_VENUE, str(venue_pk))):
        wait = limiter.hit(limit, key)
        if wait > 0:
            seconds = int(wait) + 1
            raise RateLimited("help_too_frequent", f"帮扫过于频繁，请{seconds}秒后再试。",
                              f"Too many help-scans; try again in {seconds} seconds.", seconds)


def help_person(session: Session, settings: Settings, limiter: Limiter, actor: Actor,
                helper: User, venue: Venue, sub_area: SubArea | None, identity: Identity,
                now: datetime) -> Helped:
    """Check one helped person in (or record the denied attempt), audited with the helper."""
    check_rate(limiter, helper.id, venue.id)
    decision = decide(session, settings, venue, identity.id_number, now)
    done = record_decided(session, settings, decision, Attempt(
        identity.id_number, venue.id, sub_area.id if sub_area else None, now, "help", helper.id))
    record(session, actor, AuditAction.HELP_SCAN_RECORDED, "person", identity.id_number,
           method=identity.method.value, venue=venue.venue_id, decision=decision.verdict,
           helper_user_id=helper.id)
    maybe_alert(session, settings, actor, helper, venue, now)
    return Helped(identity, decision, done.entry_id, done.repeat, done.at)


def _day_start(settings: Settings, now: datetime) -> datetime:
    local = now.astimezone(settings.tz)
    return datetime.combine(local.date(), time(0), tzinfo=settings.tz)


def helped_today(session: Session, settings: Settings, helper_id: int, now: datetime) -> int:
    """Distinct people this account helped since local midnight (entries and denials)."""
    since = _day_start(settings, now)
    people = union(
        select(Checkin.id_number).where(Checkin.helper_user_id == helper_id,
                                        Checkin.scanned_at >= since),
        select(DeniedAttempt.id_number).where(DeniedAttempt.helper_user_id == helper_id,
                                              DeniedAttempt.attempted_at >= since),
    ).subquery()
    return session.scalar(select(func.count()).select_from(people)) or 0


def maybe_alert(session: Session, settings: Settings, actor: Actor, helper: User, venue: Venue,
                now: datetime) -> HelpAlert | None:
    count = helped_today(session, settings, helper.id, now)
    if count <= ALERT_DISTINCT_PER_DAY:
        return None
    day = now.astimezone(settings.tz).date().isoformat()
    alert = session.scalar(select(HelpAlert).where(HelpAlert.helper_user_id == helper.id,
                                                   HelpAlert.day == day))
    if alert is None:
        alert = HelpAlert(helper_user_id=helper.id, day=day, distinct_persons=count,
                          venue_pk=venue.id, district=venue.district, created_at=now,
                          updated_at=now)
        session.add(alert)
        session.flush()
        # No dedicated action name yet (audit/actions.py belongs to another change):
        # the alert is audited as a help-scan event on the subject "help_alert".
        record(session, actor, AuditAction.HELP_ALERT_RAISED, "help_alert", alert.id,
               reason="help_alert_raised", helper_user_id=helper.id, distinct_persons=count)
    else:
        alert.distinct_persons, alert.updated_at = count, now
        alert.venue_pk, alert.district = venue.id, venue.district
    return alert


def alerts_for(session: Session, user: User, limit: int = 200) -> list[HelpAlert]:
    """District admins see their district's alerts, system admins all of them."""
    query = select(HelpAlert).order_by(HelpAlert.created_at.desc()).limit(limit)
    if user.role != "system_admin":
        query = query.where(HelpAlert.district == (user.district or ""))
    return list(session.scalars(query))
