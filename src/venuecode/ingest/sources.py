"""API keys of data sources (other departments' systems) for the push API.

A key is `vc_` + 32 random bytes (URL-safe base64), shown once at creation. Only its
first characters (to find it and show it in listings) and its SHA-256 are stored.
A fast hash is right here, unlike for passwords: the key has 256 bits of entropy, so
there is nothing to brute-force from a leaked hash, and verification runs on every push.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.access.models import ApiKey
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, InvalidInput, NotFound
from venuecode.ingest.kinds import KINDS

KEY_PREFIX = "vc_"
_SHOWN = 12  # "vc_" + 9 characters: enough to tell keys apart, useless to an attacker


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def kinds_of(key: ApiKey) -> frozenset[str]:
    """The data kinds this key may send."""
    return frozenset(k for k in key.kinds.split(",") if k)


def may_send(key: ApiKey, kind: str) -> bool:
    return key.revoked_at is None and kind in kinds_of(key)


def _check_kinds(kinds: Iterable[str]) -> list[str]:
    wanted = sorted({k.strip() for k in kinds if k.strip()})
    unknown = [k for k in wanted if k not in KINDS]
    if unknown or not wanted:
        names = ", ".join(KINDS)
        raise InvalidInput("unknown_kind", f"未知的数据类型：{', '.join(unknown)}；可选：{names}",
                           f"unknown data kind(s): {', '.join(unknown) or '(none given)'}; "
                           f"choose from {names}")
    return wanted


def create_key(session: Session, name: str, kinds: Iterable[str],
               actor: Actor | None = None, created_by: int | None = None
               ) -> tuple[ApiKey, str]:
    """Create a key for source `name`; return the row and the key (shown only now)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("bad_name", "名称应为 1-64 个字符。", "A name has 1-64 characters.")
    allowed = _check_kinds(kinds)
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict("name_taken", f"数据源 {name} 已存在。",
                       f"A source named {name!r} already exists; revoke it or pick another name.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:_SHOWN], key_hash=_hash(key), kinds=",".join(allowed),
                 created_at=clock.now(), created_by=created_by)
    session.add(row)
    session.flush()
    record(session, actor or Actor.cli(), AuditAction.API_KEY_CREATED, "api_key", row.id,
           name=name, kinds=allowed)
    return row, key


def verify_key(session: Session, presented: str) -> ApiKey | None:
    """The active key matching `presented`, or None. Compares hashes in constant time."""
    presented = presented.strip()
    if not presented.startswith(KEY_PREFIX) or len(presented) < _SHOWN:
        return None
    digest = _hash(presented)
    candidates = session.scalars(
        select(ApiKey).where(ApiKey.prefix == presented[:_SHOWN], ApiKey.revoked_at.is_(None))
    )
    for candidate in candidates:
        if hmac.compare_digest(candidate.key_hash, digest):
            return candidate
    return None


# A busy source pushes many times a minute: one write a minute is enough to show use.
USE_RESOLUTION = timedelta(minutes=1)


def mark_used(session: Session, key: ApiKey) -> bool:
    """Note that `key` was just used; True when the row changed (the caller commits it at
    once, in a short transaction of its own, so concurrent pushes never queue on it)."""
    now = clock.now()
    if key.last_used_at is not None and now - key.last_used_at < USE_RESOLUTION:
        return False
    key.last_used_at = now
    return True


def revoke_key(session: Session, name: str, actor: Actor | None = None,
               key_id: int | None = None) -> ApiKey:
    """Revoke the key of source `name` (or, from the console, the key with `key_id`)."""
    row = (session.get(ApiKey, key_id) if key_id is not None
           else session.scalar(select(ApiKey).where(ApiKey.name == name)))
    if row is None:
        raise NotFound("no_such_source", f"没有名为 {name} 的数据源。",
                       f"No source named {name!r}.")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        record(session, actor or Actor.cli(), AuditAction.API_KEY_REVOKED, "api_key", row.id,
               name=row.name)
    return row


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))
