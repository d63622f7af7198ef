"""Sign-in limits through the API: SMS codes per phone and per address, password tries."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import read_sms_code
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.people import auth


def test_an_account_gets_ten_password_tries_then_429_even_for_the_right_one(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    client.post("/api/v1/auth/sms-code", json={"phone": admin.phone})
    code = read_sms_code(settings, admin.phone)
    login = client.post("/api/v1/auth/login", json={"phone": admin.phone, "code": code}).json()
    pending = {"Authorization": f"Bearer {login['access_token']}"}
    wrong = [client.post("/api/v1/auth/password", json={"password": f"wrong-guess-{i}"},
                         headers=pending).status_code for i in range(auth.PASSWORD_TRIES)]
    assert wrong == [401] * auth.PASSWORD_TRIES
    blocked = client.post("/api/v1/auth/password", json={"password": factories.PASSWORD},
                          headers=pending)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "password_too_many"
    assert int(blocked.headers["Retry-After"]) > 0


def test_the_password_page_says_when_the_tries_are_used_up(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin = factories.user(db, Role.TRACER)
    db.commit()
    client.post("/login", data={"phone": admin.phone, "next": "/"})
    code = read_sms_code(settings, admin.phone)
    client.post("/login/code", data={"phone": admin.phone, "code": code, "next": "/"})
    for i in range(auth.PASSWORD_TRIES):
        assert client.post("/login/password", data={"password": f"wrong-{i}-xxxxx"}
                           ).status_code == 401
    page = client.post("/login/password", data={"password": factories.PASSWORD})
    assert page.status_code == 429 and "密码尝试次数过多" in page.text


def test_an_address_gets_thirty_codes_an_hour_across_phones(client: TestClient) -> None:
    sent = [client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()}).status_code
            for _ in range(auth.IP_MAX_PER_HOUR)]
    assert sent == [202] * auth.IP_MAX_PER_HOUR
    refused = client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "sms_ip_limit"
