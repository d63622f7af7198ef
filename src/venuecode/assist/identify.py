"""Who is being helped: one identity from a card number, a paper code or a typed number.

Every method ends in a valid ID number; a typed (or OCR-read, then confirmed) number with
a name is matched against the population registry, so a misread or a made-up number is
refused instead of checking in somebody else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from venuecode.assist.paper_codes import PaperKey, resolve_paper_code
from venuecode.errors import InvalidInput, NotFound
from venuecode.facts.models import CitizenCardRecord
from venuecode.people.idnumber import IdNumberError, parse_id_number
from venuecode.people.models import Person

_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·]{2,15}$|^[A-Za-z][A-Za-z .'-]{1,63}$")


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
    if session.scalar(select(exists().where(Person.id_number.isnot(None)))):
        registered = _registry_name(session, parsed.value)
        if registered is None:
            raise InvalidInput("person_not_registered", "人口库中没有此身份证号，请核对后重新输入或重新拍照。",
                               "This ID number is not in the population registry; check it "
                               "or retake the photo.")
        if registered != clean:
            raise InvalidInput("identity_mismatch", "姓名与身份证号不匹配，请核对后重新输入。",
                               "The name does not match the ID number in the population "
                               "registry; please check both.")
    return Identity(parsed.value, clean, method)


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
