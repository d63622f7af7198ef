"""Health-code push adapters: where an approved trace's code changes go.

One adapter per outside system, chosen by `settings.healthcode_backend`:

- `local` (standalone deployment): we are the health-code system; upsert `health_codes`
  and insert `contact_marks` in our own database, so the next scan anywhere is denied.
- `webhook`: the provincial health-code platform owns the codes; POST JSON batches to
  `settings.healthcode_webhook_url`. Each batch carries an idempotency key so a retried
  push is recognised by the receiver.

Both are idempotent: pushing the same trace twice changes nothing the second time.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.config import Settings
from venuecode.errors import Conflict, InvalidInput
from venuecode.facts.models import ContactMark, HealthCodeRecord

SOURCE = "tracing"
BATCH = 500
_CHUNK = 900  # stays under SQLite's bound-parameter limit
# A push never lowers a code: red stays red when a later trace says yellow.
_SEVERITY = {"green": 0, "yellow": 1, "red": 2}


@dataclass(frozen=True)
class CodeChange:
    """One person's new code colour and tracing mark, with what they must do."""

    id_number: str
    color: str  # red | yellow
    kind: str  # close | secondary | tertiary | tierN | general
    reason: str
    instruction: str


@dataclass(frozen=True)
class PushOutcome:
    red: int
    yellow: int
    changed: int  # rows written now; 0 on a repeated push
    batches: int = 0


class HealthCodeAdapter(Protocol):
    def push(self, session: Session, trace_id: int, changes: Sequence[CodeChange],
             now: datetime) -> PushOutcome: ...


def _chunks(items: Sequence[str], size: int = _CHUNK) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _counts(changes: Sequence[CodeChange]) -> tuple[int, int]:
    red = sum(1 for c in changes if c.color == "red")
    return red, len(changes) - red


class LocalHealthCodeAdapter:
    """Writes codes and marks into our own tables (set-based: 47,000 people in seconds)."""

    def push(self, session: Session, trace_id: int, changes: Sequence[CodeChange],
             now: datetime) -> PushOutcome:
        numbers = [c.id_number for c in changes]
        codes: dict[str, HealthCodeRecord] = {}
        marked: set[str] = set()
        for chunk in _chunks(numbers):
            codes.update((r.id_number, r) for r in session.scalars(
                select(HealthCodeRecord).where(HealthCodeRecord.id_number.in_(chunk))))
            marked.update(session.scalars(
                select(ContactMark.id_number).where(ContactMark.trace_id == trace_id,
                                                    ContactMark.id_number.in_(chunk))))
        changed = 0
        for change in changes:
            code = codes.get(change.id_number)
            if code is None:
                session.add(HealthCodeRecord(id_number=change.id_number, color=change.color,
                                             since=now, reason=change.reason, source=SOURCE,
                                             batch_id=None, received_at=now))
                changed += 1
            elif _SEVERITY.get(code.color, 0) < _SEVERITY[change.color]:
                code.color, code.since, code.reason = change.color, now, change.reason
                code.source, code.received_at = SOURCE, now
                changed += 1
            if change.id_number not in marked:
                session.add(ContactMark(id_number=change.id_number, kind=change.kind, since=now,
                                        instruction=change.instruction, trace_id=trace_id))
                marked.add(change.id_number)
                changed += 1
        session.flush()
        red, yellow = _counts(changes)
        return PushOutcome(red, yellow, changed)


class WebhookHealthCodeAdapter:
    """POSTs `{"trace_id", "batch", "batches", "changes": [...]}` in batches of `BATCH`."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("healthcode_webhook_url", "健康码推送地址无效。",
                               "VENUECODE_HEALTHCODE_WEBHOOK_URL must be an http(s) URL.")
        self.url = url
        self.timeout = timeout

    def push(self, session: Session, trace_id: int, changes: Sequence[CodeChange],
             now: datetime) -> PushOutcome:
        batches = [changes[i:i + BATCH] for i in range(0, len(changes), BATCH)] or [[]]
        for number, batch in enumerate(batches, start=1):
            body = {"trace_id": trace_id, "batch": number, "batches": len(batches),
                    "pushed_at": now.isoformat(), "changes": [asdict(c) for c in batch]}
            request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
                self.url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                method="POST", headers={"Content-Type": "application/json; charset=utf-8",
                                        "Idempotency-Key": f"trace-{trace_id}-batch-{number}"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    status = response.status
            except OSError as exc:
                raise Conflict("healthcode_push_failed",
                               f"健康码平台未接收推送（第 {number}/{len(batches)} 批）：{exc}",
                               f"The health-code platform did not accept batch {number} of "
                               f"{len(batches)}: {exc}", batch=number) from exc
            if not 200 <= status < 300:
                raise Conflict("healthcode_push_failed",
                               f"健康码平台返回 {status}（第 {number} 批）。",
                               f"The health-code platform answered {status} to batch {number}.",
                               batch=number)
        red, yellow = _counts(changes)
        return PushOutcome(red, yellow, len(changes), len(batches))


def adapter_for(settings: Settings) -> HealthCodeAdapter:
    if settings.healthcode_backend == "webhook":
        if not settings.healthcode_webhook_url:
            raise InvalidInput("healthcode_webhook_url", "未配置健康码推送地址。",
                               "Set VENUECODE_HEALTHCODE_WEBHOOK_URL for the webhook backend.")
        return WebhookHealthCodeAdapter(settings.healthcode_webhook_url)
    return LocalHealthCodeAdapter()
