"""数字哨兵: a venue's own gate device checks people in, and catches up after an outage.

Online, a scan is the ordinary `decide()` + check-in pipeline with channel "sentinel".
Offline, the device queues what it scanned with the ORIGINAL time and uploads later;
the pipeline's `record_offline` stores those as presence once per natural key
(id_number, scanned_at, venue), so an upload sent twice stores nothing twice.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from venuecode.assist.identify import Identity, Method, by_card_number, by_number_and_name, by_paper_code
from venuecode.assist.paper_codes import PaperKey
from venuecode.assist.qr import decode_qr
from venuecode.assist.schemas import SentinelItem, SentinelItemResult, SentinelUploadResult
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.config import Settings
from venuecode.errors import DomainError, InvalidInput
from venuecode.policy.engine import Decision
from venuecode.scans.pipeline import record_offline
from venuecode.scans.service import decide, record_decided
from venuecode.scans.store import Attempt, SqlCheckinStore
from venuecode.timeutil import parse_instant
from venuecode.venues.models import Venue

# A tablet's clock drifts; a little is forgiven, more is a wrong clock or a made-up time.
CLOCK_SKEW = timedelta(minutes=2)


def _bad(code: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(code, zh, en)


def _image_bytes(data: str) -> bytes:
    payload = data.split(",", 1)[1] if data.startswith("data:") else data
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _bad("qr_image_invalid", "二维码照片数据损坏，请重新扫描。",
                   "The queued photo is damaged; scan the person again.") from None


def item_identity(session: Session, key: PaperKey, item: SentinelItem, today: datetime
                  ) -> Identity:
    if item.qr_text:
        return by_paper_code(session, key, item.qr_text)
    if item.qr_image:
        return by_paper_code(session, key, decode_qr(_image_bytes(item.qr_image)))
    if item.card_number:
        return by_card_number(session, item.card_number)
    if item.id_number and item.name:
        return by_number_and_name(session, item.id_number, item.name, Method.ID_TYPED,
                                  today.date())
    raise _bad("sentinel_item_empty", "记录中没有可识别的身份信息。",
               "The record holds no paper code, card number or ID number with name.")


def _scanned_at(settings: Settings, raw: str, now: datetime) -> datetime:
    try:
        at = parse_instant(raw, settings.tz)
    except ValueError:
        raise _bad("scanned_at_invalid", "扫码时间格式无效。",
                   "scanned_at is not an ISO 8601 time.") from None
    if at > now + CLOCK_SKEW:
        raise _bad("scanned_at_future", "扫码时间晚于当前时间，请检查设备时钟。",
                   "scanned_at is in the future; check the device's clock.")
    if at < now - timedelta(days=settings.retention_days):
        raise _bad("scanned_at_too_old", "扫码时间早于数据保存期限，无法上传。",
                   "scanned_at is older than the retention period.")
    return at


def upload(session: Session, settings: Settings, key: PaperKey, actor: Actor, venue: Venue,
           items: list[SentinelItem], now: datetime) -> SentinelUploadResult:
    results: list[SentinelItemResult] = []
    accepted: list[tuple[SentinelItemResult, Attempt, Identity]] = []
    for item in items:
        try:
            at = _scanned_at(settings, item.scanned_at, now)
            identity = item_identity(session, key, item, now)
        except DomainError as exc:
            results.append(SentinelItemResult(client_id=item.client_id, status="rejected",
                                              code=exc.code, message=exc.message_zh))
            continue
        # The verdict the facts gave at that moment, for the device to flag afterwards;
        # the row is stored either way: the person was let in, and tracing needs them.
        decision = decide(session, settings, venue, identity.id_number, at)
        result = SentinelItemResult(client_id=item.client_id, status="stored",
                                    decision=decision.verdict,
                                    health_color=decision.panels.health_code.color)
        results.append(result)
        accepted.append((result, Attempt(identity.id_number, venue.id, None, at, "sentinel"),
                         identity))
    stored = record_offline(SqlCheckinStore(session.connection()), [a for _r, a, _i in accepted])
    for (result, attempt, identity), new in zip(accepted, stored, strict=True):
        if not new:
            result.status = "duplicate"
            continue
        record(session, actor, AuditAction.SCAN_RECORDED, "person", identity.id_number,
               channel="sentinel", offline=True, venue=venue.venue_id,
               scanned_at=attempt.at.isoformat(), method=identity.method.value)
    counts = {s: sum(r.status == s for r in results) for s in ("stored", "duplicate", "rejected")}
    return SentinelUploadResult(stored=counts["stored"], duplicates=counts["duplicate"],
                                rejected=counts["rejected"], results=results)


def scan_one(session: Session, settings: Settings, actor: Actor, venue: Venue,
             identity: Identity, now: datetime) -> tuple[Decision, int | None, bool, datetime]:
    """An online gate scan: the person's verdict now, recorded like a scan of their own."""
    decision = decide(session, settings, venue, identity.id_number, now)
    done = record_decided(session, settings, decision,
                          Attempt(identity.id_number, venue.id, None, now, "sentinel"))
    record(session, actor, AuditAction.SCAN_RECORDED, "person", identity.id_number,
           channel="sentinel", venue=venue.venue_id, decision=decision.verdict,
           method=identity.method.value)
    return decision, done.entry_id, done.repeat, done.at
