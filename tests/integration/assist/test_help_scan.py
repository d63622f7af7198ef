"""帮扫 through the API and the page: each method, the limits, and bad input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.integration.assist.conftest import card_lines, citizen_card, registered, venue_token
from tests.support import factories
from tests.support import facts as f
from venuecode.assist.deps import get_id_reader
from venuecode.assist.ocr import StaticRecognizer
from venuecode.assist.visit import Visit, dump_visit, person_digest
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.idnumber import check_character
from venuecode.scans.models import Checkin, DeniedAttempt


def count_rows(db: Session, number: str) -> int:
    entries = db.scalar(select(func.count(Checkin.id)).where(Checkin.id_number == number)) or 0
    denied = db.scalar(select(func.count(DeniedAttempt.id)).where(DeniedAttempt.id_number == number)) or 0
    return entries + denied


def post_help(client: TestClient, headers: dict[str, str], token: str, *persons: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/scans/help", json={"venue_code": token, "persons": list(persons)},
                       headers=headers)


def test_card_number_and_typed_number_each_get_their_own_check_in_and_verdict(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    grandma, grandpa = factories.id_number(), factories.id_number()
    f.healthy(db, grandma, clock.now())
    f.healthy(db, grandpa, clock.now())
    f.health_code(db, grandpa, "yellow", clock.now(), "时空交集")
    citizen_card(db, "A123456789", grandma, clock.now())
    token = venue_token(db, settings)

    response = post_help(client, headers, token, {"method": "card_number", "card_number": "a123456789"},
                         {"method": "id_typed", "id_number": grandpa, "name": "李大爷"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert [p["decision"] for p in body["persons"]] == ["pass", "deny"]
    assert [p["health_color"] for p in body["persons"]] == ["green", "yellow"]
    assert body["persons"][1]["name"] == "李*爷"
    assert "*" in body["persons"][0]["id_number"] and grandma not in response.text
    assert body["helped_today"] == 2
    entry = db.scalar(select(Checkin).where(Checkin.id_number == grandma))
    assert entry is not None and entry.channel == "help" and entry.helper_user_id is not None
    denied = db.scalar(select(DeniedAttempt).where(DeniedAttempt.id_number == grandpa))
    assert denied is not None and denied.channel == "help"
    audited = db.scalars(select(AuditEvent.subject_id).where(AuditEvent.action == "scan.help_recorded")).all()
    assert set(audited) >= {grandma, grandpa}


def test_id_photo_is_read_for_confirmation_then_checked_in(
        app, client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    app.dependency_overrides[get_id_reader] = lambda: StaticRecognizer(card_lines("张秀英", number))
    try:
        reading = client.post("/api/v1/assist/id-card", files={"photo": ("card.png", _png(), "image/png")},
                              headers=headers)
    finally:
        app.dependency_overrides.clear()
    assert reading.status_code == 200, reading.text
    assert reading.json()["id_number"] == number and reading.json()["name"] == "张秀英"
    assert count_rows(db, number) == 0  # reading alone checks nobody in
    response = post_help(client, headers, venue_token(db, settings),
                         {"method": "id_photo", "id_number": number, "name": "张秀英"})
    assert response.status_code == 201, response.text
    assert response.json()["persons"][0]["method"] == "id_photo"
    assert count_rows(db, number) == 1


def test_a_non_image_upload_is_refused_clearly(client: TestClient, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    response = client.post("/api/v1/assist/id-card", files={"photo": ("x.jpg", b"not an image", "image/jpeg")},
                           headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idcard_image_unreadable"


@pytest.mark.parametrize("case", ["wrong_check", "unknown_card", "sixth", "duplicate", "self", "unregistered"])
def test_bad_input_records_nobody(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper, case: str) -> None:  # type: ignore[no-untyped-def]
    headers, own_number = helper
    token = venue_token(db, settings)
    people = [factories.id_number() for _ in range(6)]
    for n in people:
        f.healthy(db, n, clock.now())
    typed = [{"method": "id_typed", "id_number": n, "name": "赵钱孙"} for n in people]
    if case == "wrong_check":
        wrong = people[0][:17] + ("0" if check_character(people[0][:17]) != "0" else "1")
        persons, code = [{"method": "id_typed", "id_number": wrong, "name": "赵钱孙"}], "id_number_check"
    elif case == "unknown_card":
        persons, code = [{"method": "card_number", "card_number": "NOPE0001"}], "citizen_card_unknown"
    elif case == "sixth":
        persons, code = typed, "help_visit_full"
    elif case == "duplicate":
        persons, code = [typed[0], typed[1], typed[0]], "help_duplicate"
    elif case == "self":
        persons, code = [{"method": "id_typed", "id_number": own_number, "name": "王帮"}], "help_self"
    else:
        registered(db, people[5], "某某某", clock.now())
        persons, code = [typed[0]], "identity_not_confirmed"
    response = post_help(client, headers, token, *persons)
    assert response.status_code in (404, 409, 422), response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message_zh"]
    assert all(count_rows(db, n) == 0 for n in people)


def test_the_page_stacks_each_helped_person_and_refuses_a_sixth(
        app, client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    people = [factories.id_number() for _ in range(6)]
    for n in people:
        f.healthy(db, n, clock.now())
    citizen_card(db, "C0000001", people[0], clock.now())
    cookies = {"vc_session": headers["Authorization"].split()[1]}
    client.cookies.update(cookies)
    page = client.get(f"/help/{token}?start=1")
    assert page.status_code == 200 and "今日已帮扫 0 人" in page.text

    page = client.post(f"/help/{token}", data={"method": "card_number", "card_number": "C0000001"})
    assert page.status_code == 200, page.text
    assert page.text.count('class="helped-row') == 1 and "今日已帮扫 1 人" in page.text

    app.dependency_overrides[get_id_reader] = lambda: StaticRecognizer(card_lines("张秀英", people[1]))
    try:
        page = client.post(f"/help/{token}", data={"method": "id_photo"},
                           files={"photo": ("card.png", _png(), "image/png")})
    finally:
        app.dependency_overrides.clear()
    assert 'id="confirm-form"' in page.text and people[1] in page.text
    assert count_rows(db, people[1]) == 0
    page = client.post(f"/help/{token}", data={"method": "id_photo",
                                               "id_number": people[1], "name": "张秀英"})
    assert page.text.count('class="helped-row') == 2 and "张*英" in page.text

    for n in people[2:5]:
        page = client.post(f"/help/{token}", data={"method": "id_typed",
                                                   "id_number": n, "name": "赵钱孙"})
    assert page.text.count('class="helped-row') == 5 and 'id="help-full"' in page.text
    assert 'id="help-next"' not in page.text
    # The full page offers no form; a crafted post with the full visit is still refused.
    secret = app.state.venuecode.secret
    user_id = _user_id(client)
    full = Visit(user_id, token, [person_digest(secret, n) for n in people[:5]])
    _set_visit(client, token, dump_visit(secret, full))
    sixth = client.post(f"/help/{token}", data={"method": "id_typed",
                                                "id_number": people[5], "name": "赵钱孙"})
    assert sixth.status_code == 422 and "最多帮5人" in sixth.text
    assert count_rows(db, people[5]) == 0
    _set_visit(client, token, dump_visit("another-secret-" * 4, full))
    forged = client.post(f"/help/{token}", data={"method": "id_typed", "id_number": people[5],
                                                 "name": "赵钱孙"})
    assert forged.status_code == 422 and "已过期" in forged.text and count_rows(db, people[5]) == 0


def test_each_person_is_a_post_redirect_get_and_reloading_adds_nobody(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    grandma = factories.id_number()
    f.healthy(db, grandma, clock.now())
    citizen_card(db, "C0000002", grandma, clock.now())
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    client.get(f"/help/{token}?start=1")
    added = client.post(f"/help/{token}", data={"method": "card_number", "card_number": "C0000002"},
                        follow_redirects=False)
    # Answered by a redirect to the next person's form, with the same way chosen.
    assert added.status_code == 303
    assert added.headers["location"] == f"/help/{token}?way=card_number#help-next"
    page = client.get(added.headers["location"])
    assert page.text.count('class="helped-row') == 1
    assert 'id="way-card_number" value="card_number" checked' in page.text
    assert 'id="flash"' in page.text and "已登记" in page.text  # the flash says it worked
    again = client.get(f"/help/{token}")  # a reload: shown again, stored once, flash gone
    assert again.text.count('class="helped-row') == 1 and 'id="flash"' not in again.text
    assert count_rows(db, grandma) == 1


def test_reasons_speak_about_the_helped_person_and_survive_a_language_switch(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    yellow, unknown = factories.id_number(), factories.id_number()
    f.healthy(db, yellow, clock.now())
    f.health_code(db, yellow, "yellow", clock.now(), "时空交集")
    db.commit()
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    client.get(f"/help/{token}?start=1")
    client.post(f"/help/{token}", data={"method": "id_typed", "id_number": yellow, "name": "李大爷"})
    page = client.post(f"/help/{token}", data={"method": "id_typed", "id_number": unknown,
                                               "name": "钱奶奶"})
    reasons = re.findall(r'<ul class="helped-reasons">(.*?)</ul>', page.text, re.S)
    assert len(reasons) == 2, page.text
    assert "此人的健康码是黄码" in reasons[0] and "时空交集" in reasons[0]
    assert "没有查到此人的健康码" in reasons[1]
    # Third person, and no advice to use help-scan inside help-scan.
    assert all("您" not in r and "帮扫" not in r for r in reasons)
    english = client.get(f"/help/{token}?lang=en")
    assert english.text.count('class="helped-row') == 2  # the list survives the switch
    assert "This person&#39;s health code is yellow" in english.text
    assert "No health code was found for this person" in english.text
    assert "Your health code" not in english.text


def test_done_closes_the_visit_and_back_leads_to_the_venue_page(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, number = helper
    token = venue_token(db, settings)
    grandma = factories.id_number()
    for n in (number, grandma):
        f.healthy(db, n, clock.now())
    db.commit()
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    client.get(f"/help/{token}?start=1")
    client.post(f"/help/{token}", data={"method": "id_typed", "id_number": grandma, "name": "周桂兰"})
    done = client.post(f"/help/{token}/done", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/"
    home = client.get("/")
    assert "帮扫完成，共 1 人" in home.text
    back = client.get(f"/help/{token}", follow_redirects=False)  # the browser's Back
    assert back.status_code == 303 and back.headers["location"] == f"/s/{token}"
    venue_page = client.get(back.headers["location"])
    assert venue_page.status_code == 200 and 'id="help-scan"' in venue_page.text
    fresh = client.get(f"/help/{token}?start=1")  # 帮扫 again from the venue page
    assert fresh.status_code == 200 and 'class="helped-row' not in fresh.text


def test_the_scan_result_offers_help_scan(client: TestClient, db: Session, settings: Settings,
                                          clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, number = helper
    f.healthy(db, number, clock.now())
    token = venue_token(db, settings)
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    page = client.get(f"/s/{token}")
    assert f'href="/help/{token}?start=1"' in page.text and "帮扫·杭州的温暖" in page.text


def _user_id(client: TestClient) -> int:
    return int(client.get("/api/v1/me").json()["id"])


def _set_visit(client: TestClient, token: str, value: str) -> None:
    client.cookies.set("vc_help_visit", value, domain="testserver.local", path=f"/help/{token}")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (860, 540), "white").save(out, "PNG")
    return out.getvalue()
