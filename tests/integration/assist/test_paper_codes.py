"""Paper health codes: the printed card decodes, shows the CURRENT colour, and can be
revoked and reissued (old card refused)."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pypdfium2 as pdfium
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.assist.conftest import venue_token
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings


def card_photo(pdf: bytes) -> Image.Image:
    page = pdfium.PdfDocument(pdf)[0]
    return page.render(scale=5).to_pil().convert("RGB")


def qr_text(pdf: bytes) -> str:
    found = zxingcpp.read_barcodes(card_photo(pdf))
    assert len(found) == 1
    return found[0].text


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def apply(client: TestClient, headers: dict[str, str], number: str, name: str, path: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/assist/paper-codes{path}", json={"id_number": number, "name": name},
                       headers=headers)


def help_by_code(client: TestClient, headers: dict[str, str], token: str, text: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/scans/help", headers=headers, json={
        "venue_code": token, "persons": [{"method": "health_code_qr", "qr_text": text}]})


def test_the_card_carries_no_personal_data_and_shows_the_current_colour(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    db.commit()
    response = apply(client, headers, number, "张秀英")
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = qr_text(response.content)
    assert text.startswith(f"{settings.public_url}/h/")
    assert number not in text and number[-4:] not in text.rsplit("/", 1)[1]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "paper_code.issued"))
    assert event is not None and event.subject_id == number

    token = venue_token(db, settings)
    first = help_by_code(client, headers, token, text)
    assert first.status_code == 201, first.text
    assert first.json()["persons"][0]["health_color"] == "green"
    # The colour changes after printing: the same card now shows red and is denied.
    f.health_code(db, number, "red", clock.now(), "密接")
    db.commit()
    clock.advance(timedelta(minutes=10))
    later = help_by_code(client, headers, token, text).json()["persons"][0]
    assert (later["health_color"], later["decision"]) == ("red", "deny")


def test_a_photo_of_the_card_is_decoded_on_the_server(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    pdf = apply(client, headers, number, "李四").content
    photo = card_photo(pdf).rotate(7, expand=True, fillcolor="#c8b89a")
    decoded = client.post("/api/v1/assist/decode-qr", files={"photo": ("p.png", png(photo), "image/png")},
                          headers=headers)
    assert decoded.status_code == 200, decoded.text
    assert decoded.json()["text"] == qr_text(pdf)
    blank = client.post("/api/v1/assist/decode-qr", headers=headers,
                        files={"photo": ("b.png", png(Image.new("RGB", (400, 300), "white")), "image/png")})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "qr_not_found"


def test_revoke_then_reissue_refuses_the_old_card(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    f.healthy(db, number, clock.now())
    token = venue_token(db, settings)
    old = qr_text(apply(client, headers, number, "张秀英").content)
    assert apply(client, headers, number, "张秀英").json()["error"]["code"] == "paper_code_exists"

    assert apply(client, headers, number, "张秀英", "/revoke").status_code == 200
    refused = help_by_code(client, headers, token, old)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "paper_code_revoked"

    reissued = apply(client, headers, number, "张秀英", "/reissue")
    assert reissued.status_code == 201 and reissued.headers["x-paper-code-issue"] == "2"
    new = qr_text(reissued.content)
    assert new != old
    assert help_by_code(client, headers, token, old).json()["error"]["code"] == "paper_code_superseded"
    assert help_by_code(client, headers, token, new).status_code == 201


def test_a_forged_code_is_refused(client: TestClient, db: Session, settings: Settings, clock: FixedClock,
                                  helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    real = qr_text(apply(client, headers, number, "张秀英").content)
    raw = bytearray(base64.urlsafe_b64decode(real.rsplit("/", 1)[1] + "=="))
    raw[6] ^= 1  # another paper code id, the MAC no longer fits
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    token = venue_token(db, settings)
    for text in (forged, f"{settings.public_url}/h/{forged}", token):  # a venue code is not one either
        response = help_by_code(client, headers, token, text)
        assert response.json()["error"]["code"] == "paper_code_invalid", text


def test_staff_see_the_current_colour_and_citizens_may_not_look(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    number = factories.id_number()
    f.health_code(db, number, "yellow", clock.now(), "时空交集")
    text = qr_text(apply(client, headers, number, "张秀英").content)
    path = "/h/" + text.rsplit("/h/", 1)[1]
    assert client.get(f"/api/v1/assist/paper-codes/{path[3:]}", headers=headers).status_code == 403
    manager = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    staff = sign_in(client, settings, manager.phone)
    status = client.get(f"/api/v1/assist/paper-codes/{path[3:]}", headers=staff).json()
    assert status["health_color"] == "yellow" and "*" in status["id_number"]
    client.cookies.update({"vc_session": staff["Authorization"].split()[1]})
    page = client.get(path)
    assert page.status_code == 200 and "黄码" in page.text


def test_the_apply_page_returns_the_pdf(client: TestClient, db: Session, settings: Settings,
                                        clock: FixedClock, helper) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    assert "健康码代办" in client.get("/assist/paper-codes").text
    number = factories.id_number()
    response = client.post("/assist/paper-codes", data={"action": "issue", "id_number": number, "name": "张秀英"})
    assert response.status_code == 201 and response.content.startswith(b"%PDF")
    bad = client.post("/assist/paper-codes", data={"action": "issue", "id_number": number[:-1] + "0"
                                                   if number[-1] != "0" else number[:-1] + "1", "name": "张秀英"})
    assert bad.status_code == 422 and "校验位" in bad.text
