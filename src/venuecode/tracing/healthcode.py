"""Health-code push adapters: where an approved trace's code changes go.

One adapter per outside system, chosen by `settings.healthcode_backend`:

- `local` (standalone deployment): we are the health-code system; upsert `health_codes`
  and insert `contact_marks` in our own database, so the next scan anywhere is denied.
- `webhook`: the provincial health-code platform owns the codes; POST JSON batches to
  `settings.healthcode_webhook_url`. Each batch carries an idempotency key so a retried
  push is recognised by the receiver.

Both are idempotent: pushing the same trace twice changes nothing the second time.

`lift` undoes a push for some of its persons once they are released from control (解除管控):
the local adapter clears their marks of that trace and turns a code tracing set back to
green; the webhook adapter POSTs a lift batch and leaves the codes to the platform.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
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
    # Persons whose code or mark this push wrote (every person sent, for the webhook):
    # the push appears in their access logs.
    persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiftOutcome:
    lifted: tuple[str, ...]  # persons whose mark of the trace was lifted now
    # Persons whose code went back to green; None when the platform owns the codes.
    restored: tuple[str, ...] | None
    still_marked: tuple[str, ...] = ()  # lifted here but still marked by another trace
    batches: int = 0


class HealthCodeAdapter(Protocol):
    def push(self, session: Session, trace_id: int, changes: Sequence[CodeChange],
             now: datetime) -> PushOutcome: ...

    def lift(self, session: Session, trace_id: int, id_numbers: Sequence[str], reason: str,
             by: str, now: datetime) -> LiftOutcome: ...


def _chunks(items: Sequence[str], size: int = _CHUNK) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def lift_reason(trace_id: int, reason: str) -> str:
    return f"解除管控（流调 #{trace_id}）：{reason}"[:200]  # health_codes.reason is 200 long


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
        lifted: set[str] = set()
        for chunk in _chunks(numbers):
            codes.update((r.id_number, r) for r in session.scalars(
                select(HealthCodeRecord).where(HealthCodeRecord.id_number.in_(chunk))))
            for number, cleared in session.execute(
                    select(ContactMark.id_number, ContactMark.cleared_at)
                    .where(ContactMark.trace_id == trace_id, ContactMark.id_number.in_(chunk))):
                marked.add(number)
                if cleared is not None:
                    lifted.add(number)
        changed = 0
        touched: list[str] = []
        for change in changes:
            if change.id_number in lifted:
                continue  # released from this trace's control: pushing it again changes nothing
            before = changed
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
            if changed > before:
                touched.append(change.id_number)
        session.flush()
        red, yellow = _counts(changes)
        return PushOutcome(red, yellow, changed, persons=tuple(touched))

    def lift(self, session: Session, trace_id: int, id_numbers: Sequence[str], reason: str,
             by: str, now: datetime) -> LiftOutcome:
        """Clear the persons' open marks of this trace; a code goes back to green only when
        tracing set it (source `tracing`: another department's later code stays) and no
        other trace still marks the person."""
        numbers = list(dict.fromkeys(id_numbers))
        lifted: set[str] = set()
        for chunk in _chunks(numbers):
            lifted.update(session.scalars(
                update(ContactMark)
                .where(ContactMark.trace_id == trace_id, ContactMark.id_number.in_(chunk),
                       ContactMark.cleared_at.is_(None))
                .values(cleared_at=now, cleared_by=by, cleared_reason=reason)
                .returning(ContactMark.id_number)))
        done = [n for n in numbers if n in lifted]
        still: set[str] = set()
        restored: list[str] = []
        for chunk in _chunks(done):
            still.update(session.scalars(
                select(ContactMark.id_number).where(ContactMark.id_number.in_(chunk),
                                                    ContactMark.cleared_at.is_(None))))
            free = [n for n in chunk if n not in still]
            for code in session.scalars(select(HealthCodeRecord).where(
                    HealthCodeRecord.id_number.in_(free), HealthCodeRecord.source == SOURCE,
                    HealthCodeRecord.color != "green")):
                code.color, code.since, code.reason = "green", now, lift_reason(trace_id, reason)
                code.received_at = now
                restored.append(code.id_number)
        session.flush()
        green = set(restored)
        return LiftOutcome(tuple(done), tuple(n for n in done if n in green),
                           tuple(n for n in done if n in still))


class WebhookHealthCodeAdapter:
    """POSTs `{"action": "push", "trace_id", "batch", "batches", "changes": [...]}` (and
    `"action": "lift"` batches, see `lift`) in batches of `BATCH`."""

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
            body = {"action": "push", "trace_id": trace_id, "batch": number,
                    "batches": len(batches), "pushed_at": now.isoformat(),
                    "changes": [asdict(c) for c in batch]}
            self._post(body, f"trace-{trace_id}-batch-{number}", "push")
        red, yellow = _counts(changes)
        return PushOutcome(red, yellow, len(changes), len(batches),
                           tuple(c.id_number for c in changes))

    def lift(self, session: Session, trace_id: int, id_numbers: Sequence[str], reason: str,
             by: str, now: datetime) -> LiftOutcome:
        """POSTs `{"action": "lift", "trace_id", "batch", "batches", "reason", "id_numbers"}`.

        The key names the set of persons, so a retried lift of the same persons is
        recognised; we keep no marks here, so whether they were still open is the
        platform's to know."""
        numbers = list(dict.fromkeys(id_numbers))
        digest = hashlib.sha256("\n".join(sorted(numbers)).encode()).hexdigest()[:16]
        batches = [numbers[i:i + BATCH] for i in range(0, len(numbers), BATCH)] or [[]]
        for number, batch in enumerate(batches, start=1):
            body = {"action": "lift", "trace_id": trace_id, "batch": number,
                    "batches": len(batches), "lifted_at": now.isoformat(), "reason": reason,
                    "id_numbers": batch}
            self._post(body, f"trace-{trace_id}-lift-{digest}-batch-{number}", "lift")
        return LiftOutcome(tuple(numbers), None, (), len(batches))

    def _post(self, body: dict[str, object], key: str, what: str) -> None:
        number, batches = body["batch"], body["batches"]
        # The push's messages are those it always had; a lift names itself.
        zh, zh_of, en_of = ("推送", "", "") if what == "push" else ("解除管控", "解除管控", "lift ")
        request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
            self.url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            method="POST", headers={"Content-Type": "application/json; charset=utf-8",
                                    "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except OSError as exc:
            raise Conflict(f"healthcode_{what}_failed",
                           f"健康码平台未接收{zh}（第 {number}/{batches} 批）：{exc}",
                           f"The health-code platform did not accept {en_of}batch {number} of "
                           f"{batches}: {exc}", batch=number) from exc
        if not 200 <= status < 300:
            raise Conflict(f"healthcode_{what}_failed",
                           f"健康码平台返回 {status}（{zh_of}第 {number} 批）。",
                           f"The health-code platform answered {status} to {en_of}batch {number}.",
                           batch=number)


def adapter_for(settings: Settings) -> HealthCodeAdapter:
    if settings.healthcode_backend == "webhook":
        if not settings.healthcode_webhook_url:
            raise InvalidInput("healthcode_webhook_url", "未配置健康码推送地址。",
                               "Set VENUECODE_HEALTHCODE_WEBHOOK_URL for the webhook backend.")
        return WebhookHealthCodeAdapter(settings.healthcode_webhook_url)
    return LocalHealthCodeAdapter()
