"""Who may revoke or reissue a paper health code, with one refusal for everyone else.

Only the helper who issued the current card, the person themself (an account bound to
that ID number) or service-desk staff (`identity.verify`) may revoke a card or have it
reissued; anyone may apply for a first card (`paper_codes.issue_paper_code`). A revoke
answers one refusal, same status, code and message, whether the name differs, the number
is unknown, there is no card, or the card is not the requester's to revoke, so the
revoke is no oracle of ID number + name. Attempts count against the helper look-up
limits and every refusal is audited (`paper_code.refused`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limiter
from venuecode.access.roles import Permission, has_permission
from venuecode.assist.identify import (
    IdentityNotConfirmed,
    Method,
    audited,
    by_number_and_name,
    check_lookup_rate,
)
from venuecode.assist.models import PaperCode
from venuecode.assist.paper_codes import reissue_paper_code, revoke_paper_code
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor
from venuecode.errors import DomainError
from venuecode.people.idnumber import mask_id_number
from venuecode.people.models import User


class PaperCodeNotYours(DomainError):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(code, zh, en, {}, 403)


def _revoke_refused() -> PaperCodeNotYours:
    return PaperCodeNotYours(
        "paper_code_revoke_refused",
        "无法挂失：没有找到您可以挂失的健康码（代办卡）。只有原代办人或本人可以挂失，"
        "请核对姓名和身份证号，或携带证件到服务窗口办理。",
        "No paper code you may revoke was found: only the helper who applied for it or the "
        "person themself may revoke it. Check the name and ID number, or go to a service desk.")


def _reissue_refused() -> PaperCodeNotYours:
    return PaperCodeNotYours(
        "paper_code_reissue_refused",
        "此人的健康码（代办卡）由他人代办，只有原代办人或本人可以补办；请携带证件到服务窗口办理。",
        "Someone else applied for this person's paper code: only that helper or the person "
        "themself may reissue it; go to a service desk.")


def may_manage(user: User, code: PaperCode) -> bool:
    return (code.issued_by == user.id
            or (user.id_number is not None and user.id_number == code.id_number)
            or has_permission(user.role, Permission.IDENTITY_VERIFY))


def _refuse(actor: Actor, user: User, what: str, typed: str, error: DomainError
            ) -> DomainError:
    return audited(error, actor, AuditAction.PAPER_CODE_REFUSED, user.id, attempted=what,
                   id_number=mask_id_number(typed) if typed else "")


def revoke_checked(session: Session, limiter: Limiter, actor: Actor, user: User,
                   id_number: str, name: str, now: datetime) -> PaperCode:
    check_lookup_rate(limiter, user.id, actor.ip)
    try:
        identity = by_number_and_name(session, id_number, name, Method.ID_TYPED, now.date())
    except IdentityNotConfirmed:
        raise _refuse(actor, user, "revoke", id_number, _revoke_refused()) from None
    code = session.scalar(select(PaperCode).where(PaperCode.id_number == identity.id_number))
    if code is None or not may_manage(user, code):
        raise _refuse(actor, user, "revoke", id_number, _revoke_refused())
    return revoke_paper_code(session, actor, identity.id_number, now)


def reissue_checked(session: Session, actor: Actor, user: User, id_number: str,
                    now: datetime) -> PaperCode:
    """Reissuing revokes the old card, so it takes the revoke's permission (a first card not)."""
    code = session.scalar(select(PaperCode).where(PaperCode.id_number == id_number))
    if code is not None and not may_manage(user, code):
        raise _refuse(actor, user, "reissue", id_number, _reissue_refused())
    return reissue_paper_code(session, actor, user.id, id_number, now)
