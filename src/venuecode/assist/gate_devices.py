"""Registered gate devices (数字哨兵): one key per device, issued by the venue's manager.

The gate routes (`/api/v1/sentinel/{venue}/scan` and `/checkins`) authenticate with the
device key alone, sent as `X-Device-Key`: the device is the principal, fixed to its one
venue, and whatever it records is audited under the device (`gate.scanned`,
`gate.uploaded`). A venue manager's sign-in no longer lets anything be uploaded, and a
lost or misused device is stopped by revoking its key, without touching anyone's account.

A key is `vcg_` + 32 random bytes (URL-safe base64), shown once when issued. Only its
first characters (to find it and tell keys apart) and its SHA-256 are stored: as for the
data sources' keys (`ingest/sources.py`), a fast hash is right for 256 random bits.

Who may do what (docs/permissions.md, "Gate devices"): the venue's own manager issues
keys; the manager, an admin of the venue's district and a system admin list and revoke
them (a district office can stop a device it suspects of inventing check-ins).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.access.roles import Permission, has_permission
from venuecode.assist.models import GateDevice
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from venuecode.people.models import User
from venuecode.venues.access import ensure_can_manage
from venuecode.venues.models import Venue, VenueStatus

KEY_PREFIX = "vcg_"
KEY_HEADER = "X-Device-Key"
_SHOWN = 12  # "vcg_" + 8 characters: enough to tell keys apart, useless to an attacker
LABEL_MAX = 40
# A venue has a few gates; more active keys than this is a sign of something else.
MAX_ACTIVE_PER_VENUE = 20
# Items per upload call. The device sends its queue in calls of at most this many.
MAX_BATCH = 50
# Items per device, live scans and offline items alike: a busy gate scans a person every
# few seconds; the hour bounds what a device could invent even at the minute's pace.
PER_MINUTE = Limit("gate-minute", 120, 60)
PER_HOUR = Limit("gate-hour", 2000, 3600)
# A live scan goes on if the limiter cannot be reached (people wait at the door); an
# offline batch waits instead (it stays queued on the device and is sent again).
_LIVE = (PER_MINUTE, PER_HOUR)
_BATCH = tuple(dataclasses.replace(limit, fail_open=False) for limit in _LIVE)


class DeviceKeyRefused(DomainError):
    """A key that is no longer (revoked) or never was (another venue's) good for this
    venue: audited as `gate.refused` although the request itself changes nothing."""

    def __init__(self, device: GateDevice, code: str, zh: str, en: str, status: int) -> None:
        super().__init__(code, zh, en, {"device_id": device.id}, status)
        self.device = device


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_actor(device: GateDevice, ip: str | None) -> Actor:
    return Actor(f"gate_device:{device.id}", "gate_device", ip)


def _clean_label(raw: str) -> str:
    label = " ".join(raw.split())
    if not label or len(label) > LABEL_MAX or any(
            unicodedata.category(ch).startswith("C") for ch in label):
        raise InvalidInput("gate_label_invalid",
                           f"设备名称应为 1–{LABEL_MAX} 个字符（例如“东门1号”）。",
                           f"The device name must have 1-{LABEL_MAX} characters "
                           "(for example 'East gate 1').", field="label")
    return label


def issue_device(session: Session, actor: Actor, user: User, venue: Venue, raw_label: str,
                 now: datetime) -> tuple[GateDevice, str]:
    """A new device for `venue` (its own manager only); returns the row and the key,
    which is shown now and never again."""
    if venue.manager_user_id != user.id or not has_permission(user.role, Permission.VENUE_APPLY):
        raise PermissionDenied("gate_device_manager_only", "只有本场所的负责人可以登记闸机设备。",
                               "Only the venue's own manager can register gate devices.",
                               venue_id=venue.venue_id)
    if venue.status != VenueStatus.APPROVED:
        raise InvalidInput("venue_not_approved", "该场所码尚未通过审核或已被撤销。",
                           "This venue is not approved (or was revoked).")
    label = _clean_label(raw_label)
    active = list(session.scalars(select(GateDevice.label).where(
        GateDevice.venue_pk == venue.id, GateDevice.revoked_at.is_(None))))
    if label in active:
        raise Conflict("gate_label_taken", f"本场所已有名为“{label}”的闸机设备，请换一个名称。",
                       f"This venue already has a gate device named {label!r}.", field="label")
    if len(active) >= MAX_ACTIVE_PER_VENUE:
        raise Conflict("gate_devices_full",
                       f"每个场所最多 {MAX_ACTIVE_PER_VENUE} 台在用闸机设备，请先吊销不用的设备。",
                       f"A venue has at most {MAX_ACTIVE_PER_VENUE} active gate devices; "
                       "revoke one first.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    device = GateDevice(venue_pk=venue.id, label=label, prefix=key[:_SHOWN], key_hash=_hash(key),
                        created_at=now, created_by=user.id)
    session.add(device)
    session.flush()
    record(session, actor, AuditAction.GATE_DEVICE_ISSUED, "gate_device", device.id,
           venue=venue.venue_id, label=label, prefix=device.prefix)
    return device, key


def list_devices(session: Session, user: User, venue: Venue) -> list[GateDevice]:
    """The venue's devices, active first, newest first (manager, district, system admin)."""
    ensure_can_manage(user, venue)
    return list(session.scalars(
        select(GateDevice).where(GateDevice.venue_pk == venue.id)
        .order_by(GateDevice.revoked_at.is_not(None), GateDevice.created_at.desc(),
                  GateDevice.id.desc())))


def revoke_device(session: Session, actor: Actor, user: User, venue: Venue, device_id: int,
                  now: datetime) -> GateDevice:
    """Stop a device's key from now on; its next call is refused. Revoking twice is a no-op."""
    ensure_can_manage(user, venue)
    device = session.get(GateDevice, device_id)
    if device is None or device.venue_pk != venue.id:
        raise NotFound("gate_device_not_found", "找不到该闸机设备。",
                       "There is no such gate device at this venue.", device_id=device_id)
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = now, user.id
        record(session, actor, AuditAction.GATE_DEVICE_REVOKED, "gate_device", device.id,
               venue=venue.venue_id, label=device.label)
    return device


def active_count(session: Session, venue: Venue) -> int:
    return int(session.scalar(select(func.count()).select_from(GateDevice).where(
        GateDevice.venue_pk == venue.id, GateDevice.revoked_at.is_(None))) or 0)


def key_refusal(presented: str | None) -> NotAuthenticated:
    """The refusal of a missing or malformed key (also sent before a body is read)."""
    if not presented:
        return NotAuthenticated(
            "device_key_missing", "缺少闸机设备密钥：请在本设备上输入场所负责人登记的设备密钥。",
            f"Missing gate device key: send the key the venue manager issued as '{KEY_HEADER}'.")
    return NotAuthenticated("device_key_invalid", "闸机设备密钥无效，请核对后重新输入。",
                            "The gate device key is not valid; check it and enter it again.")


def key_shaped(presented: str) -> bool:
    return presented.startswith(KEY_PREFIX) and len(presented) > _SHOWN


def authenticate(session: Session, presented: str | None, venue_id: str, now: datetime
                 ) -> tuple[GateDevice, Venue]:
    """The device `presented` is the key of, if it may record at `venue_id` now."""
    presented = (presented or "").strip()
    if not key_shaped(presented):
        raise key_refusal(presented)
    digest = _hash(presented)
    device = next((d for d in session.scalars(
        select(GateDevice).where(GateDevice.prefix == presented[:_SHOWN]))
        if hmac.compare_digest(d.key_hash, digest)), None)
    if device is None:
        raise key_refusal(presented)
    if device.revoked_at is not None:
        raise DeviceKeyRefused(device, "device_key_revoked",
                               "该闸机设备密钥已被吊销，不能再登记。请向场所负责人领取新的设备密钥。",
                               "This gate device key was revoked; ask the venue manager "
                               "for a new one.", 401)
    venue = session.get(Venue, device.venue_pk)
    assert venue is not None
    if venue.venue_id != venue_id:
        raise DeviceKeyRefused(device, "device_key_other_venue",
                               "该闸机设备密钥属于其他场所，不能为本场所登记。",
                               "This gate device key belongs to another venue.", 403)
    if venue.status != VenueStatus.APPROVED:
        raise InvalidInput("venue_not_approved", "该场所码尚未通过审核或已被撤销。",
                           "This venue is not approved (or was revoked).")
    device.last_used_at = now
    return device, venue


def charge(limiter: Limiter, device: GateDevice, items: int, live: bool) -> None:
    """Count `items` against the device's limits, or refuse them all (429)."""
    for limit in _LIVE if live else _BATCH:
        wait = limiter.hit(limit, str(device.id), cost=max(items, 1))
        if wait > 0:
            seconds = int(wait) + 1
            raise RateLimited("gate_too_frequent",
                              f"本闸机登记过于频繁，请{seconds}秒后再试（离线记录仍保留在设备上）。",
                              f"Too many records from this gate device; try again in {seconds} "
                              "seconds (queued records stay on the device).", seconds)
