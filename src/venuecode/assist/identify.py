"""Who is being helped: one identity from a card number, a paper code or a typed number.

Every method ends in a valid ID number; a typed (or OCR-read, then confirmed) number with
a name is matched against the population registry, so a misread or a made-up number is
refused instead of checking in somebody else. The refusal is one answer whether the number
is unknown or the name differs (the registry is no oracle), and typed look-ups are
limited per helper and per address, their refusals audited (`guarded`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limit, Limiter
from venuecode.assist.paper_codes import PaperKey, resolve_paper_code
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import DomainError, InvalidInput, NotFound, RateLimited
from venuecode.facts.models import CitizenCardRecord
from venuecode.people.idnumber import IdNumberError, mask_id_number, parse_id_number
from venuecode.people.models import Person

_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·]{2,15}$|^[A-Za-z][A-Za-z .'-]{1,63}$")

# A helper types in a family's cards, not the phone book: far above a household, far
# below a probing run (400 in 9 s before). Fail closed, like sign-in.
E = TypeVar("E", bound=DomainError)

LOOKUP_PER_HELPER = Limit("id-lookup-helper", 60, 3600, fail_open=False)
LOOKUP_PER_ADDRESS = Limit("id-lookup-ip", 300, 3600, fail_open=False)


class IdentityNotConfirmed(InvalidInput):
    """The one answer for an unknown ID number and for a name that differs."""

    def __init__(self) -> None:
        super().__init__("identity_not_confirmed",
                         "姓名与身份证号未能在人口库中核验通过，请核对后重新输入或重新拍照。",
                         "The name and ID number could not be confirmed against the "
                         "population registry; check both or retake the photo.")


class Method(StrEnum):
    ID_PHOTO = "id_photo"
    CARD_NUMBER = "card_number"
    HEALTH_CODE_QR = "health_code_qr"
    ID_TYPED = "id_typed"


@dataclass(frozen=True)
class Identity:
    id_number: str
    name: str | None
    method: Method


def _registry_name(session: Session, id_number: str) -> str | None:
    person = session.get(Person, id_number)
    return person.name if person else None


def by_number_and_name(session: Session, id_number: str, name: str, method: Method,
                       today: date) -> Identity:
    """A typed or OCR-read number plus name, checked character and registry match."""
    try:
        parsed = parse_id_number(id_number, today=today)
    except IdNumberError as exc:
        raise InvalidInput(exc.code, exc.message_zh, exc.message_en) from None
    clean = " ".join(name.split())
    if not _NAME.match(clean):
        raise InvalidInput("name_invalid", "请输入与身份证一致的姓名。",
                           "Enter the name as written on the ID card.")
    # An empty registry (a fresh deployment before the first `persons` feed) cannot say
    # no; a valid number and a name are then accepted as they are.
    if (session.scalar(select(exists().where(Person.id_number.isnot(None))))
            and _registry_name(session, parsed.value) != clean):
        raise IdentityNotConfirmed()
    return Identity(parsed.value, clean, method)


def check_lookup_rate(limiter: Limiter, helper_id: int, ip: str | None) -> None:
    for limit, key in ((LOOKUP_PER_HELPER, str(helper_id)), (LOOKUP_PER_ADDRESS, ip)):
        if key and (wait := limiter.hit(limit, key)):
            seconds = int(wait) + 1
            raise RateLimited("lookup_too_frequent", f"核验过于频繁，请{seconds}秒后再试。",
                              f"Too many identity checks; try again in {seconds} seconds.",
                              seconds)


def guarded(limiter: Limiter, actor: Actor, helper_id: int, where: str,
            lookup: Callable[[], Identity], id_number: str | None = None) -> Identity:
    """Run a helper's look-up under the limits; a refusal carries what `settle` audits."""
    check_lookup_rate(limiter, helper_id, actor.ip)
    try:
        return lookup()
    except IdentityNotConfirmed as exc:
        raise audited(exc, actor, AuditAction.IDENTITY_REFUSED, helper_id, where=where,
                      id_number=mask_id_number(id_number) if id_number else "") from None


def audited(exc: E, actor: Actor, action: AuditAction, user_id: int, **details: str) -> E:
    """Mark a refusal to be audited even though its request rolls back (`settle`)."""
    exc.__dict__["audit"] = (actor, action, user_id, details)
    return exc


def settle(session: Session, exc: DomainError) -> None:
    """After a failed step: drop its work, but keep the audit event of a refusal."""
    session.rollback()
    audit = exc.__dict__.get("audit")
    if audit is not None:
        actor, action, user_id, details = audit
        record(session, actor, action, "user", user_id, **details)
        session.commit()


def by_card_number(session: Session, card_number: str) -> Identity:
    number = card_number.strip().replace(" ", "").upper()
    card = session.get(CitizenCardRecord, number) if 0 < len(number) <= 32 else None
    if card is None:
        raise NotFound("citizen_card_unknown", "找不到该市民卡号，请核对后重新输入。",
                       "There is no citizen card with this number; check it and try again.")
    return Identity(card.id_number, _registry_name(session, card.id_number), Method.CARD_NUMBER)


def by_paper_code(session: Session, key: PaperKey, text: str) -> Identity:
    code = resolve_paper_code(session, key, text)
    return Identity(code.id_number, _registry_name(session, code.id_number),
                    Method.HEALTH_CODE_QR)
