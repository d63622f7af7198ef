"""数字哨兵: a venue's own gate device checks people in, and catches up after an outage.

Every call comes from a registered device (`gate_devices.authenticate`). Online, a scan
is the ordinary `decide()` + check-in pipeline with channel "sentinel". Offline, the
device queues what it scanned with the ORIGINAL time and uploads later, as far back as
its offline window (`VENUECODE_GATE_OFFLINE_HOURS`) and never before it was registered;
the pipeline's `record_offline` stores those as presence once per natural key
(id_number, scanned_at, venue), so an upload sent twice stores nothing twice.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from venuecode.assist.identify import Identity, Method, by_card_number, by_number_and_name, by_paper_code
from venuecode.assist.models import GateDevice
from venuecode.assist.paper_codes import PaperKey
from venuecode.assist.qr import decode_qr
from venuecode.assist.schemas import SentinelItem, SentinelItemResult, SentinelUploadResult
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record, record_about
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


def _scanned_at(settings: Settings, device: GateDevice, raw: str, now: datetime) -> datetime:
    """The item's original time, if the device could have scanned it offline then."""
    try:
        at = parse_instant(raw, settings.tz)
    except ValueError:
        raise _bad("scanned_at_invalid", "扫码时间格式无效。",
                   "scanned_at is not an ISO 8601 time.") from None
    if at > now + CLOCK_SKEW:
        raise _bad("scanned_at_future", "扫码时间晚于当前时间，请检查设备时钟。",
                   "scanned_at is in the future; check the device's clock.")
    hours = settings.gate_offline_hours
    if at < now - timedelta(hours=hours):
        raise _bad("scanned_at_too_old",
                   f"扫码时间超出闸机离线补传时限（{hours}小时），未保存；请人工登记。",
                   f"scanned_at is older than the gate's offline window ({hours} hours); "
                   "not stored.")
    if at < device.created_at - CLOCK_SKEW:
        raise _bad("scanned_at_before_device", "扫码时间早于本闸机设备登记的时间，未保存。",
                   "scanned_at is before this gate device was registered; not stored.")
    return at


def upload(session: Session, settings: Settings, key: PaperKey, actor: Actor,
           device: GateDevice, venue: Venue, items: list[SentinelItem], now: datetime
           ) -> SentinelUploadResult:
    """Store a device's offline queue; answer per item stored, duplicate or rejected.

    No verdict and no colour: the gate showed none when it queued the item ("verify by
    hand"), and an upload must not become a way to look up people's health codes.
    """
    results: list[SentinelItemResult] = []
    accepted: list[tuple[SentinelItemResult, Attempt]] = []
    for item in items:
        try:
            at = _scanned_at(settings, device, item.scanned_at, now)
            identity = item_identity(session, key, item, now)
        except DomainError as exc:
            results.append(SentinelItemResult(client_id=item.client_id, status="rejected",
                                              code=exc.code, message=exc.message_zh))
            continue
        result = SentinelItemResult(client_id=item.client_id, status="stored")
        results.append(result)
        accepted.append((result, Attempt(identity.id_number, venue.id, None, at, "sentinel")))
    stored = record_offline(SqlCheckinStore(session.connection()), [a for _r, a in accepted])
    persons: list[str] = []
    times: list[datetime] = []
    for (result, attempt), new in zip(accepted, stored, strict=True):
        if new:
            persons.append(attempt.id_number)
            times.append(attempt.at)
        else:
            result.status = "duplicate"
    counts = {s: sum(r.status == s for r in results) for s in ("stored", "duplicate", "rejected")}
    # One event for the batch, each person stored by it listed: their access log says
    # which venue's which device put a check-in of theirs in (audit/words.py).
    record_about(session, actor, AuditAction.GATE_UPLOADED, "gate_device", device.id, persons,
                 venue=venue.name, venue_id=venue.venue_id, device=device.label, offline=True,
                 stored=counts["stored"], duplicates=counts["duplicate"],
                 rejected=counts["rejected"],
                 first_at=min(times).isoformat() if times else None,
                 last_at=max(times).isoformat() if times else None)
    return SentinelUploadResult(stored=counts["stored"], duplicates=counts["duplicate"],
                                rejected=counts["rejected"], results=results)


def scan_one(session: Session, settings: Settings, actor: Actor, device: GateDevice,
             venue: Venue, identity: Identity, now: datetime
             ) -> tuple[Decision, int | None, bool, datetime]:
    """An online gate scan: the person's verdict now, recorded like a scan of their own."""
    decision = decide(session, settings, venue, identity.id_number, now)
    done = record_decided(session, settings, decision,
                          Attempt(identity.id_number, venue.id, None, now, "sentinel"))
    record(session, actor, AuditAction.GATE_SCANNED, "person", identity.id_number,
           venue=venue.name, venue_id=venue.venue_id, device=device.label,
           decision=decision.verdict, method=identity.method.value)
    return decision, done.entry_id, done.repeat, done.at
