"""Sign-in limits through the API: SMS codes per phone and per address, password lockout."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import read_sms_code
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.config import Settings
from venuecode.people import auth


def _pending(client: TestClient, settings: Settings, phone: str) -> dict[str, str]:
    client.post("/api/v1/auth/sms-code", json={"phone": phone})
    code = read_sms_code(settings, phone)
    login = client.post("/api/v1/auth/login", json={"phone": phone, "code": code}).json()
    return {"Authorization": f"Bearer {login['access_token']}"}


def test_wrong_passwords_lock_the_account_even_for_the_right_one_and_are_audited(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    pending = _pending(client, settings, admin.phone)
    tries = auth.PASSWORD_TIERS[0].amount
    wrong = [client.post("/api/v1/auth/password", json={"password": f"wrong-guess-{i}"},
                         headers=pending).status_code for i in range(tries)]
    assert wrong == [401] * tries
    for _ in range(3):
        blocked = client.post("/api/v1/auth/password", json={"password": factories.PASSWORD},
                              headers=pending)
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "password_too_many"
        assert 14 * 60 < int(blocked.headers["Retry-After"]) <= 15 * 60
    db.expire_all()
    actions = list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == str(admin.id))))
    # Each wrong password, and the lockout once however many tries it refused.
    assert actions.count("user.password_wrong") == tries
    assert actions.count("user.password_locked") == 1


def test_the_password_page_says_in_chinese_how_long_the_account_is_locked(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin = factories.user(db, Role.TRACER)
    db.commit()
    client.post("/login", data={"phone": admin.phone, "next": "/"})
    code = read_sms_code(settings, admin.phone)
    client.post("/login/code", data={"phone": admin.phone, "code": code, "next": "/"})
    for i in range(auth.PASSWORD_TIERS[0].amount):
        assert client.post("/login/password", data={"password": f"wrong-{i}-xxxxx"}
                           ).status_code == 401
    page = client.post("/login/password", data={"password": factories.PASSWORD})
    assert page.status_code == 429
    assert "密码错误次数过多，账号已暂时锁定，请15分钟后再试" in page.text


def test_an_address_gets_thirty_codes_an_hour_across_phones(client: TestClient) -> None:
    sent = [client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()}).status_code
            for _ in range(auth.IP_MAX_PER_HOUR)]
    assert sent == [202] * auth.IP_MAX_PER_HOUR
    refused = client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "sms_ip_limit"


def test_the_address_limit_is_a_setting(client: TestClient, settings: Settings) -> None:
    settings.sms_per_address_hour = 2  # the app reads the settings object it was made with
    sent = [client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()}).status_code
            for _ in range(2)]
    refused = client.post("/api/v1/auth/sms-code", json={"phone": factories.phone()})
    assert sent == [202, 202] and refused.status_code == 429
    assert refused.json()["error"]["code"] == "sms_ip_limit"
