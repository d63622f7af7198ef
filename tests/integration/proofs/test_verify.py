"""防伪核验 end to end in the app: a scan's proof (API and page QR), verified by anyone."""

from __future__ import annotations

import base64
import io
import json
import re
import secrets
from datetime import timedelta

import numpy as np
import pytest
import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.scans.test_scan_api import code_of
from tests.support import factories
from tests.support import facts as f
from venuecode.clock import FixedClock
from venuecode.config import Settings

HTML = {"accept": "text/html"}


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.fixture
def citizen(client: TestClient, settings: Settings, db: Session, clock: FixedClock
            ) -> tuple[dict[str, str], str]:
    headers = sign_in(client, settings, "13700000301")
    number = factories.id_number(301)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "张小三"},
                      headers=headers).status_code == 200
    return headers, number


def scanned(client: TestClient, db: Session, settings: Settings, headers: dict[str, str]
            ) -> dict[str, object]:
    response = client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                           headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_api_scan_carries_a_proof_that_anyone_verifies(
        client: TestClient, app, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    body = scanned(client, db, settings, headers)
    proof = body["proof"]
    assert isinstance(proof, str) and body["proof_expires_in"] == 60
    # Masked, and nothing of the health facts but the verdict.
    payload = unb64(proof.split(".")[1]).decode()
    assert number not in payload and "green" not in payload and "negative" not in payload
    anonymous = TestClient(app)
    answer = anonymous.post("/api/v1/verify", json={"proof": proof})
    assert answer.status_code == 200, answer.text
    verified = answer.json()
    assert verified["valid"] is True and verified["decision"] == "pass"
    assert verified["venue"]["name"] == "文三路农贸市场"
    assert verified["venue"]["venue_id"] == body["venue"]["venue_id"]  # type: ignore[index]
    assert verified["scanned_at"] == clock.now().isoformat()
    assert verified["person"] == {"name": "张*三", "id_number": number[:4] + "*" * 10 + number[-4:]}


def test_a_denied_scan_proves_a_deny(client: TestClient, app, db: Session, settings: Settings,  # type: ignore[no-untyped-def]
                                     clock: FixedClock, citizen) -> None:
    headers, number = citizen
    f.health_code(db, number, "red", clock.now())
    db.commit()
    body = scanned(client, db, settings, headers)
    assert body["decision"] == "deny"
    verified = TestClient(app).post("/api/v1/verify", json={"proof": body["proof"]}).json()
    assert verified["decision"] == "deny"


def test_forged_malformed_and_expired_proofs_are_a_422_naming_why(
        client: TestClient, app, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    proof = str(scanned(client, db, settings, headers)["proof"])
    anonymous = TestClient(app)
    head, payload, signature = proof.split(".")
    claims = json.loads(unb64(payload))
    claims["vn"] = "别的场所"
    forged = f"{head}.{base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()}.{signature}"
    cases = {forged: "proof_forged", "not a proof": "proof_malformed",
             f"{head}.{payload}": "proof_malformed", "x.y.z": "proof_malformed"}
    for text, code in cases.items():
        answer = anonymous.post("/api/v1/verify", json={"proof": text},
                                headers={"accept-language": "zh-CN"})
        assert answer.status_code == 422, (text, answer.text)
        assert answer.json()["error"]["code"] == code
        assert re.search(r"[\u4e00-\u9fff]", answer.json()["error"]["message"])
    english = anonymous.post("/api/v1/verify?lang=en", json={"proof": forged}).json()
    assert "forged" in english["error"]["message"]
    # Bounded: a longer text is refused by the schema, naming the field; junk bodies too.
    long = anonymous.post("/api/v1/verify", json={"proof": "a" * 1025})
    assert long.status_code == 422 and "proof" in long.text
    for junk in ({}, {"proof": 5}, {"proof": ["x"]}, {"proof": ""}):
        assert anonymous.post("/api/v1/verify", json=junk).status_code == 422
    assert anonymous.post("/api/v1/verify", content=b"\xff\xfe",
                          headers={"content-type": "application/json"}).status_code == 422

    clock.advance(timedelta(seconds=59))
    assert anonymous.post("/api/v1/verify", json={"proof": proof}).status_code == 200
    clock.advance(timedelta(seconds=1))
    expired = anonymous.post("/api/v1/verify", json={"proof": proof})
    assert expired.status_code == 422 and expired.json()["error"]["code"] == "proof_expired"


def test_the_key_set_is_public_and_verifies_offline(
        client: TestClient, app, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    proof = str(scanned(client, db, settings, headers)["proof"])
    answer = TestClient(app).get("/.well-known/venuecode-keys.json")
    assert answer.status_code == 200 and "public" in answer.headers["cache-control"]
    head, payload, signature = proof.split(".")
    kid = json.loads(unb64(head))["kid"]
    (jwk,) = [k for k in answer.json()["keys"] if k["kid"] == kid]
    assert {"kid", "kty", "crv", "alg", "x"} <= set(jwk) and jwk["crv"] == "Ed25519"
    assert not {"d"} & set(jwk)  # never the private half
    Ed25519PublicKey.from_public_bytes(unb64(jwk["x"])).verify(
        unb64(signature), f"{head}.{payload}".encode())


def test_a_rotated_key_keeps_the_old_proofs_valid_until_they_expire(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, engine,  # type: ignore[no-untyped-def]
        session_factory, citizen) -> None:
    from venuecode.web.app import create_app

    headers, number = citizen
    f.healthy(db, number, clock.now())
    old_proof = str(scanned(client, db, settings, headers)["proof"])
    old_seed = base64.b64encode(settings.proof_seed()).decode()
    rotated = settings.model_copy(update={
        "proof_signing_key": type(settings.secret_key)(base64.b64encode(secrets.token_bytes(32)).decode()),
        "proof_previous_keys": (old_seed,)})
    new_app = TestClient(create_app(rotated, engine=engine, factory=session_factory))
    keys = new_app.get("/.well-known/venuecode-keys.json").json()["keys"]
    assert len(keys) == 2
    clock.advance(timedelta(seconds=30))
    assert new_app.post("/api/v1/verify", json={"proof": old_proof}).json()["decision"] == "pass"
    clock.advance(timedelta(seconds=30))
    assert new_app.post("/api/v1/verify", json={"proof": old_proof}).json()["error"]["code"] == "proof_expired"
    without = settings.model_copy(update={"proof_signing_key": rotated.proof_signing_key,
                                          "proof_previous_keys": ()})
    clock.advance(timedelta(seconds=-30))
    gone = TestClient(create_app(without, engine=engine, factory=session_factory))
    assert gone.post("/api/v1/verify", json={"proof": old_proof}).json()["error"]["code"] == "proof_unknown_key"


def decode_page_qr(html: str) -> list[str]:
    """Repaint the result page's inline QR modules and read them with zxing-cpp."""
    svg = re.search(r'<svg class="proof-qr".*?</svg>', html, re.S)
    assert svg is not None, "the result page shows no verification QR"
    d = re.search(r'<path fill="#000" d="([^"]+)"', svg.group(0))
    assert d is not None
    runs = [tuple(map(int, m)) for m in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", d.group(1))]
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg.group(0)).group(1))  # type: ignore[union-attr]
    modules = np.full((size, size), 255, np.uint8)
    for col, row, n in runs:
        modules[row, col: col + n] = 0
    image = Image.fromarray(modules).resize((size * 6, size * 6), Image.NEAREST)
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_the_result_page_shows_a_qr_whose_proof_verifies(
        client: TestClient, app, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings).replace("http://testserver", "")
    page = client.get(url, headers={**HTML, **headers})
    assert page.status_code == 200 and "防伪核验码" in page.text
    (text,) = decode_page_qr(page.text)
    verified = TestClient(app).post("/api/v1/verify", json={"proof": text})
    assert verified.status_code == 200, verified.text
    assert verified.json()["decision"] == "pass"
    assert verified.json()["venue"]["name"] == "文三路农贸市场"


def test_a_photo_of_the_qr_verifies_and_a_photo_without_one_is_a_422(
        client: TestClient, app, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    proof = str(scanned(client, db, settings, headers)["proof"])
    png = io.BytesIO()
    segno.make_qr(proof, error="l").save(png, kind="png", scale=6)
    anonymous = TestClient(app)
    answer = anonymous.post("/api/v1/verify/photo", files={"photo": ("qr.png", png.getvalue(), "image/png")})
    assert answer.status_code == 200, answer.text
    assert answer.json()["decision"] == "pass"
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    none = anonymous.post("/api/v1/verify/photo", files={"photo": ("b.png", blank.getvalue(), "image/png")})
    assert none.status_code == 422 and none.json()["error"]["code"] == "qr_not_found"
    junk = anonymous.post("/api/v1/verify/photo", files={"photo": ("b.png", b"not an image", "image/png")})
    assert 400 <= junk.status_code < 500


def test_the_verify_page_is_chinese_and_open_to_anyone(app) -> None:  # type: ignore[no-untyped-def]
    page = TestClient(app).get("/verify", headers=HTML)
    assert page.status_code == 200
    assert "核验扫码结果" in page.text and "或粘贴核验码文本" in page.text
    assert "/static/verify.js" in page.text
