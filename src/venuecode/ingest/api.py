"""Push API: `POST /api/v1/ingest/{kind}` with `{"records": [...]}` and an API key.

The key comes as `Authorization: Bearer vc_...` or `X-Api-Key: vc_...`. Refusals
(no or bad key 401, unknown kind 404, kind not allowed for the key 403, more than
10,000 records 413) store nothing but an audit event; a push that is taken is audited
as `ingest.push` by the service. Errors are DomainErrors, rendered by venuecode.web.errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import DomainError, NotAuthenticated, NotFound, PermissionDenied
from venuecode.ingest.kinds import KINDS
from venuecode.ingest.service import MAX_PUSH, push
from venuecode.ingest.sources import mark_used, may_send, verify_key
from venuecode.web.deps import SessionDep, presented_token

router = APIRouter(tags=["ingest"])


class PushBody(BaseModel):
    # Any JSON value: a record that is not an object is rejected alone, not the whole call.
    records: list[Any] = Field(description="At most 10,000 records, same keys as file columns")


class PushReason(BaseModel):
    field: str
    code: str
    en: str
    zh: str


class PushReject(BaseModel):
    index: int
    reasons: list[PushReason]


class PushResult(BaseModel):
    batch_id: int
    read: int
    accepted: int
    replaced: int
    unchanged: int
    rejected: int
    rejects: list[PushReject]
    warnings: list[str]


class TooManyRecords(DomainError):
    def __init__(self, count: int) -> None:
        super().__init__(
            "too_many_records", f"每次最多推送 {MAX_PUSH} 条记录，本次为 {count} 条；请分批推送。",
            f"At most {MAX_PUSH} records a call; this one has {count}. Split it into "
            "several calls.", {"limit": MAX_PUSH, "count": count}, 413)


def _refuse(session: Session, actor: Actor, kind: str, reason: str, error: DomainError
            ) -> DomainError:
    record(session, actor, AuditAction.INGEST_REFUSED, "ingest", kind, reason)
    session.commit()
    return error


@router.post("/api/v1/ingest/{kind}", response_model=PushResult)
def push_records(kind: str, body: PushBody, request: Request, session: SessionDep
                 ) -> PushResult:
    """Store a department's records; each is accepted whole or rejected with reasons."""
    ip = request.client.host if request.client else None
    presented = presented_token(request, request.headers.get("x-api-key"))
    key = verify_key(session, presented) if presented else None
    if key is None:
        raise _refuse(session, Actor("anonymous", "none", ip), kind, "missing or invalid key",
                      NotAuthenticated("invalid_api_key", "缺少或无效的 API 密钥。",
                                       "Missing or invalid API key: send it as "
                                       "'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."))
    actor = Actor(f"apikey:{key.id}", "source", ip)
    if mark_used(session, key):
        session.commit()  # its own short transaction: pushes never wait on the key's row
    if kind not in KINDS:
        raise NotFound("unknown_kind", f"未知的数据类型 {kind}。",
                       f"Unknown data kind {kind!r}; one of: {', '.join(KINDS)}.")
    if not may_send(key, kind):
        raise _refuse(session, actor, kind, "kind not allowed for this key",
                      PermissionDenied("kind_not_allowed", f"该密钥不能推送 {kind} 数据。",
                                       f"This key may not send {kind!r}; it may send: "
                                       f"{key.kinds.replace(',', ', ')}."))
    if len(body.records) > MAX_PUSH:
        raise _refuse(session, actor, kind, "too many records",
                      TooManyRecords(len(body.records)))
    summary = push(session, kind, body.records, source=key.name, actor=actor)
    return PushResult(
        batch_id=summary.batch_id, **summary.counts(), warnings=summary.warnings,
        rejects=[PushReject(index=r.position, reasons=[PushReason(**x.as_dict())
                                                       for x in r.reasons])
                 for r in summary.rejects])
