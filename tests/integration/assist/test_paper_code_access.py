"""Paper codes and typed look-ups are no oracle, and a card is revoked only by those
allowed (issue 11, findings 2 and 3)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.assist.conftest import registered, signed_in_citizen, venue_token
from tests.integration.assist.test_paper_codes import apply, help_by_code, qr_text
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.assist.identify import LOOKUP_PER_HELPER
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.models import Person

PROV = {"source": "test", "batch_id": None}


def events(db: Session, action: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == action)) or 0


def test_revoke_answers_the_same_whether_the_name_matches_or_not(
        client: TestClient, db: Session, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    registered(db, number, "张秀英", clock.now())
    db.commit()
    answers = [apply(client, headers, number, "张秀英", "/revoke"),     # no card, name right
               apply(client, headers, number, "李秀英", "/revoke"),     # name wrong
               apply(client, headers, factories.id_number(), "王五", "/revoke")]  # unknown
    assert {a.status_code for a in answers} == {403}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["error"]["code"] == "paper_code_revoke_refused"
    assert events(db, "paper_code.refused") == 3


def test_revoke_probes_are_limited_per_helper(
        client: TestClient, db: Session, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    registered(db, number, "张秀英", clock.now())
    db.commit()
    statuses = [apply(client, headers, number, f"张{chr(0x4e00 + i)}英", "/revoke").status_code
                for i in range(LOOKUP_PER_HELPER.amount + 1)]
    assert statuses[:-1] == [403] * LOOKUP_PER_HELPER.amount and statuses[-1] == 429


def test_help_scan_does_not_tell_registered_from_unknown(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    registered(db, number, "张秀英", clock.now())
    token = venue_token(db, settings)
    answers = [client.post("/api/v1/scans/help", headers=headers, json={
        "venue_code": token, "persons": [{"method": "id_typed", "id_number": n, "name": name}]})
        for n, name in ((number, "李秀英"), (factories.id_number(), "李秀英"))]
    assert {a.status_code for a in answers} == {422}
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["error"]["code"] == "identity_not_confirmed"
    assert events(db, "identity.refused") == 2


def test_only_the_issuer_the_person_or_a_desk_revokes(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    issuer, _ = helper
    stranger, _ = signed_in_citizen(client, settings, "赵陌生")  # before the registry loads
    owner_phone, number = factories.phone(), factories.id_number()
    db.add(Person(id_number=number, name="张秀英", phone=owner_phone, received_at=clock.now(),
                  **PROV))
    f.healthy(db, number, clock.now())
    admin = factories.user(db, Role.DISTRICT_ADMIN)
    admin.id_number, admin.real_name = factories.id_number(), "钱窗口"  # desk staff act by name
    db.commit()
    token = venue_token(db, settings)
    card = qr_text(apply(client, issuer, number, "张秀英").content)

    for path in ("/revoke", "/reissue"):
        refused = apply(client, stranger, number, "张秀英", path)
        assert refused.status_code == 403, refused.text
    assert help_by_code(client, issuer, token, card).status_code == 201  # the card still works
    assert events(db, "paper_code.refused") == 2 and events(db, "paper_code.revoked") == 0

    assert apply(client, issuer, number, "张秀英", "/revoke").status_code == 200
    owner = sign_in(client, settings, owner_phone)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "张秀英"},
                      headers=owner).status_code == 200
    assert apply(client, owner, number, "张秀英", "/reissue").status_code == 201
    assert apply(client, owner, number, "张秀英", "/revoke").status_code == 200
    stranger_again = apply(client, stranger, number, "张秀英", "/reissue")
    assert stranger_again.status_code == 403  # the owner's card, still not the stranger's
    desk = sign_in(client, settings, admin.phone, factories.PASSWORD)
    assert apply(client, desk, number, "张秀英", "/reissue").status_code == 201
    assert apply(client, desk, number, "张秀英", "/revoke").status_code == 200


def test_the_page_refuses_a_stranger_too(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    issuer, _ = helper
    stranger, _ = signed_in_citizen(client, settings, "赵陌生")
    number = factories.id_number()
    apply(client, issuer, number, "张秀英")
    client.cookies.update({"vc_session": stranger["Authorization"].split()[1]})
    page = client.post("/assist/paper-codes",
                       data={"action": "revoke", "id_number": number, "name": "张秀英"})
    assert page.status_code == 403 and "无法挂失" in page.text
    assert events(db, "paper_code.refused") == 1 and events(db, "paper_code.revoked") == 0
