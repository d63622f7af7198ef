"""Glue shared by the help-scan API and pages: input → identity, outcome → output."""

from __future__ import annotations

from datetime import UTC, date

from fastapi.responses import Response
from sqlalchemy.orm import Session

from venuecode.access.ratelimit import Limiter
from venuecode.assist.idcard import IdCardReading, ReadProblem
from venuecode.assist.identify import (
    Identity,
    Method,
    by_card_number,
    by_number_and_name,
    by_paper_code,
    guarded,
)
from venuecode.assist.models import PaperCode
from venuecode.assist.paper_card import CardContent, render_card_pdf
from venuecode.assist.paper_codes import PaperKey, sign_paper_token
from venuecode.assist.schemas import HelpedOut, HelpPersonIn, IdCardReadingOut, ProblemOut, ReasonOut
from venuecode.assist.service import Helped
from venuecode.audit.service import Actor
from venuecode.config import get_settings
from venuecode.errors import InvalidInput
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.policy.helped_reasons import helped_message


def _missing(what_zh: str, what_en: str) -> InvalidInput:
    return InvalidInput("help_input_missing", f"请填写{what_zh}。", f"Please give the {what_en}.")


def identity_of(session: Session, key: PaperKey, person: HelpPersonIn, today: date) -> Identity:
    if person.method == Method.CARD_NUMBER:
        if not person.card_number:
            raise _missing("市民卡号", "citizen card number")
        return by_card_number(session, person.card_number)
    if person.method == Method.HEALTH_CODE_QR:
        if not person.qr_text:
            raise _missing("健康码（代办卡）二维码", "paper code's QR text")
        return by_paper_code(session, key, person.qr_text)
    if not person.id_number or not person.name:
        raise _missing("姓名和身份证号码", "name and ID number")
    return by_number_and_name(session, person.id_number, person.name, person.method, today)


def helped_out(helped: Helped, locale: str) -> HelpedOut:
    name = helped.identity.name
    return HelpedOut(
        method=helped.identity.method.value,
        name=mask_name(name) if name else None,
        id_number=mask_id_number(helped.identity.id_number),
        decision=helped.decision.verdict,
        health_color=helped.decision.panels.health_code.color,
        # Worded for the helper, about the helped person (policy/helped_reasons.py).
        reasons=[ReasonOut(code=r.code, message=helped_message(r.code, r.details, locale))
                 for r in helped.decision.denying_reasons],
        entry_id=helped.entry_id,
        repeat=helped.repeat,
        scanned_at=helped.scanned_at.astimezone(UTC).isoformat(),
    )


def reading_out(reading: IdCardReading, locale: str) -> IdCardReadingOut:
    zh = locale.startswith("zh")
    return IdCardReadingOut(
        id_number=reading.id_number, name=reading.name, confidence=reading.confidence,
        problems=[ProblemOut(code=p, message=ReadProblem(p).message_zh if zh
                             else ReadProblem(p).message_en) for p in reading.problems])


def identity_from_reading(session: Session, reading: IdCardReading, today: date) -> Identity:
    """A card photo read well enough to check in without a person confirming it (gate)."""
    if reading.id_number is None or reading.name is None:
        problem = ReadProblem(reading.problems[0]) if reading.problems else ReadProblem.NO_NUMBER
        raise InvalidInput(problem.value, problem.message_zh, problem.message_en)
    return by_number_and_name(session, reading.id_number, reading.name, Method.ID_PHOTO, today)


def card_response(key: PaperKey, code: PaperCode, name: str | None) -> Response:
    content = CardContent(url=key.url(sign_paper_token(key, code.id, code.issue)),
                          masked_name=mask_name(name) if name else "",
                          masked_id=mask_id_number(code.id_number), issue=code.issue,
                          issued_at=code.issued_at.astimezone(get_settings().tz))
    return Response(render_card_pdf(content), media_type="application/pdf", status_code=201,
                    headers={"Content-Disposition": 'attachment; filename="paper-health-code.pdf"',
                             "X-Paper-Code-Issue": str(code.issue)})


def helper_identity(session: Session, limiter: Limiter, actor: Actor, helper_id: int,
                    key: PaperKey, person: HelpPersonIn, today: date) -> Identity:
    """`identity_of` for a helper: limited per helper and address, refusals audited."""
    return guarded(limiter, actor, helper_id, "help_scan",
                   lambda: identity_of(session, key, person, today), person.id_number)
