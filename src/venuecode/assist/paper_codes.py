"""Paper health codes (健康码代办): signed, revocable tokens for people without a phone.

The token is the `venuecode.signed_tokens` layout under its own kind and MAC domain (so a
venue code can never pass as a paper code, nor the other way round):

    version (1) | key id (1) | kind = 2 (1) | paper code id (4) | issue (2) | HMAC[:10]

The QR holds `{public_url}/h/{token}`: no name, no ID number, no colour. Whoever scans it
is shown the CURRENT colour from `health_codes`, never the one at printing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.assist.models import PaperCode
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import Conflict, InvalidInput, NotFound
from venuecode.signed_tokens import BadToken, TokenCodec

KIND_PAPER = 2
PATH_PREFIX = "/h/"
CODEC = TokenCodec(b"venuecode/paper-code/v1", PATH_PREFIX)


@dataclass(frozen=True)
class PaperKey:
    key: bytes
    key_id: int
    public_url: str

    def url(self, token: str) -> str:
        return f"{self.public_url}{PATH_PREFIX}{token}"


class PaperCodeRefused(InvalidInput):
    """A paper code that cannot be used; the message says what to do."""


def _forged() -> PaperCodeRefused:
    return PaperCodeRefused("paper_code_invalid", "这不是本系统签发的有效健康码（代办卡），无法使用。",
                            "This is not a valid paper health code issued by this system.")


def sign_paper_token(key: PaperKey, code_id: int, issue: int) -> str:
    return CODEC.sign(key.key, key.key_id, KIND_PAPER, code_id, issue)


def verify_paper_token(key: PaperKey, text: str) -> tuple[int, int]:
    """(paper code id, issue) from a token or URL whose MAC checks out."""
    try:
        fields = CODEC.read(key.key, key.key_id, text)
    except BadToken:
        raise _forged() from None
    if fields.kind != KIND_PAPER:
        raise _forged()
    return fields.object_id, fields.issue


def resolve_paper_code(session: Session, key: PaperKey, text: str) -> PaperCode:
    """The card's row, refusing forged, revoked and superseded (lost and re-issued) cards."""
    code_id, issue = verify_paper_token(key, text)
    code = session.get(PaperCode, code_id)
    if code is None:
        raise _forged()
    if code.revoked_at is not None:
        raise PaperCodeRefused("paper_code_revoked", "该健康码（代办卡）已挂失作废，请使用补办的新卡。",
                               "This paper code was reported lost and revoked; use the new card.")
    if issue != code.issue:
        raise PaperCodeRefused("paper_code_superseded", "该健康码（代办卡）已补办新卡，旧卡作废。",
                               "A new card replaced this one; the old card no longer works.")
    return code


def _find(session: Session, id_number: str) -> PaperCode | None:
    return session.scalar(select(PaperCode).where(PaperCode.id_number == id_number))


def issue_paper_code(session: Session, actor: Actor, issuer_id: int, id_number: str,
                     now: datetime) -> PaperCode:
    """A first card for a person (identity already checked by the caller)."""
    code = _find(session, id_number)
    if code is not None:
        raise Conflict("paper_code_exists", "此人已有健康码（代办卡）；如遗失请挂失补办。",
                       "This person already has a paper code; if it is lost, reissue it.")
    code = PaperCode(id_number=id_number, issue=1, issued_by=issuer_id, issued_at=now)
    session.add(code)
    session.flush()
    record(session, actor, AuditAction.PAPER_CODE_ISSUED, "person", id_number,
           paper_code=code.id, issue=code.issue)
    return code


def revoke_paper_code(session: Session, actor: Actor, id_number: str, now: datetime
                      ) -> PaperCode:
    code = _find(session, id_number)
    if code is None:
        raise NotFound("paper_code_not_found", "此人没有健康码（代办卡）。",
                       "This person has no paper code.")
    if code.revoked_at is None:
        code.revoked_at = now
        session.flush()
        record(session, actor, AuditAction.PAPER_CODE_REVOKED, "person", id_number,
               paper_code=code.id, issue=code.issue)
    return code


def reissue_paper_code(session: Session, actor: Actor, issuer_id: int, id_number: str,
                       now: datetime) -> PaperCode:
    """A replacement card: the issue number bumps, so every older card is refused."""
    code = _find(session, id_number)
    if code is None:
        return issue_paper_code(session, actor, issuer_id, id_number, now)
    if code.revoked_at is None:
        # Reissuing means the old card is lost: revoke it in the same step, audited.
        revoke_paper_code(session, actor, id_number, now)
    code.issue += 1
    code.revoked_at = None
    code.issued_by = issuer_id
    code.issued_at = now
    session.flush()
    record(session, actor, AuditAction.PAPER_CODE_ISSUED, "person", id_number,
           paper_code=code.id, issue=code.issue, reissue=True)
    return code
