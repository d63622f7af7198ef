"""Sign-out revokes the token: this device alone, every device, or (admins) another account."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import read_sms_code, sign_in
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.config import Settings
from venuecode.people import auth
from venuecode.people.models import User
from venuecode.web.deps import SESSION_COOKIE


def _device(client: TestClient, settings: Settings, phone: str,
            password: str | None = None) -> dict[str, str]:
    """A sign-in on one more device: the one-code-a-minute limit is not under test here."""
    limiter = client.app.state.venuecode.limiter  # type: ignore[attr-defined]
    limiter.clear(auth.SMS_PER_PHONE_MINUTE, phone)
    limiter.clear(auth.SMS_PER_PHONE_HOUR, phone)
    return sign_in(client, settings, phone, password)


def _actions(db: Session, user_id: int) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id))
        .order_by(AuditEvent.id)))


def test_api_logout_revokes_that_token_and_leaves_the_other_device_signed_in(
        client: TestClient, settings: Settings, db: Session) -> None:
    citizen = factories.user(db)
    db.commit()
    phone_a = _device(client, settings, citizen.phone)
    phone_b = _device(client, settings, citizen.phone)
    assert client.post("/api/v1/auth/logout", headers=phone_a).status_code == 204
    assert client.get("/api/v1/me", headers=phone_a).status_code == 401
    assert client.get("/api/v1/me", headers=phone_b).status_code == 200
    # The scan path reads the revocation in its own select and refuses too.
    scan = client.post("/api/v1/scans", json={"venue_code": "x"}, headers=phone_a)
    assert scan.status_code == 401
    still = client.post("/api/v1/scans", json={"venue_code": "x"}, headers=phone_b)
    assert still.status_code != 401  # refused for the code, not the account
    assert client.post("/api/v1/auth/logout", headers=phone_a).status_code == 401
    assert "user.signed_out" in _actions(db, citizen.id)


def test_logout_all_signs_out_every_device(client: TestClient, settings: Settings,
                                           db: Session) -> None:
    citizen = factories.user(db)
    db.commit()
    devices = [_device(client, settings, citizen.phone) for _ in range(2)]
    assert client.post("/api/v1/auth/logout-all", headers=devices[0]).status_code == 204
    assert [client.get("/api/v1/me", headers=d).status_code for d in devices] == [401, 401]
    assert client.get("/api/v1/me", headers=_device(client, settings, citizen.phone)
                      ).status_code == 200
    assert "user.signed_out_everywhere" in _actions(db, citizen.id)


def test_the_page_sign_out_revokes_the_cookie_token(client: TestClient, settings: Settings,
                                                    db: Session) -> None:
    citizen = factories.user(db)
    db.commit()
    client.post("/login", data={"phone": citizen.phone, "next": "/"})
    code = read_sms_code(settings, citizen.phone)
    client.post("/login/code", data={"phone": citizen.phone, "code": code, "next": "/"},
                follow_redirects=False)
    token = client.cookies[SESSION_COOKIE]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert client.post("/logout", follow_redirects=False).status_code == 303
    # The copied token, not only the cookie, stops working.
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_the_cookie_lasts_as_long_as_the_token(client: TestClient, settings: Settings,
                                               db: Session) -> None:
    citizen, tracer = factories.user(db), factories.user(db, Role.TRACER)
    db.commit()
    ages = {}
    for user in (citizen, tracer):
        client.post("/login", data={"phone": user.phone, "next": "/"})
        code = read_sms_code(settings, user.phone)
        answer = client.post("/login/code", data={"phone": user.phone, "code": code,
                                                  "next": "/"}, follow_redirects=False)
        ages[user.role] = answer.headers["set-cookie"]
        if user.role == Role.TRACER:
            answer = client.post("/login/password", data={"password": factories.PASSWORD,
                                                          "next": "/"}, follow_redirects=False)
            assert answer.status_code == 303
            ages["tracer-after-password"] = answer.headers["set-cookie"]
        client.cookies.delete(SESSION_COOKIE)  # signed out; the CSRF cookie stays
    assert "Max-Age=2592000" in ages["citizen"]        # 30 days
    assert "Max-Age=43200" in ages["tracer"]           # 12 hours
    assert "Max-Age=43200" in ages["tracer-after-password"]


def test_the_password_step_retires_the_half_signed_in_token(
        client: TestClient, settings: Settings, db: Session) -> None:
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    client.post("/api/v1/auth/sms-code", json={"phone": tracer.phone})
    code = read_sms_code(settings, tracer.phone)
    pending = {"Authorization": "Bearer " + client.post(
        "/api/v1/auth/login", json={"phone": tracer.phone, "code": code}).json()["access_token"]}
    assert client.post("/api/v1/auth/password", json={"password": factories.PASSWORD},
                       headers=pending).status_code == 200
    assert client.post("/api/v1/auth/password", json={"password": factories.PASSWORD},
                       headers=pending).status_code == 401


def test_a_system_admin_deactivates_signs_out_and_reactivates_another_account(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, tracer = factories.user(db, Role.SYSTEM_ADMIN), factories.user(db, Role.TRACER)
    db.commit()
    as_admin = _device(client, settings, admin.phone, factories.PASSWORD)
    as_tracer = _device(client, settings, tracer.phone, factories.PASSWORD)

    out = client.post(f"/api/v1/users/{tracer.id}/signout", headers=as_admin)
    assert out.status_code == 200 and out.json()["active"] is True
    assert client.get("/api/v1/me", headers=as_tracer).status_code == 401

    as_tracer = _device(client, settings, tracer.phone, factories.PASSWORD)
    off = client.post(f"/api/v1/users/{tracer.id}/deactivate", headers=as_admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get("/api/v1/me", headers=as_tracer).status_code == 401
    client.app.state.venuecode.limiter.clear(  # type: ignore[attr-defined]
        auth.SMS_PER_PHONE_MINUTE, tracer.phone)
    client.post("/api/v1/auth/sms-code", json={"phone": tracer.phone})
    code = read_sms_code(settings, tracer.phone)
    refused = client.post("/api/v1/auth/login", json={"phone": tracer.phone, "code": code})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "account_disabled"

    on = client.post(f"/api/v1/users/{tracer.id}/activate", headers=as_admin)
    assert on.status_code == 200 and on.json()["active"] is True
    assert client.get("/api/v1/me", headers=as_tracer).status_code == 401  # stays signed out
    _device(client, settings, tracer.phone, factories.PASSWORD)
    assert _actions(db, tracer.id)[-5:] == [
        "user.signed_out_everywhere", "user.signed_in", "user.deactivated", "user.activated",
        "user.signed_in"]


def test_only_system_admins_manage_other_accounts_and_not_themselves(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, supervisor = (factories.user(db, Role.SYSTEM_ADMIN),
                         factories.user(db, Role.TRACING_SUPERVISOR))
    citizen = factories.user(db)
    db.commit()
    as_supervisor = _device(client, settings, supervisor.phone, factories.PASSWORD)
    as_admin = _device(client, settings, admin.phone, factories.PASSWORD)
    for verb in ("deactivate", "signout", "activate"):
        assert client.post(f"/api/v1/users/{citizen.id}/{verb}",
                           headers=as_supervisor).status_code == 403
    me = client.post(f"/api/v1/users/{admin.id}/deactivate", headers=as_admin)
    assert me.status_code == 409 and me.json()["error"]["code"] == "cannot_deactivate_self"
    assert client.post("/api/v1/users/99999999/deactivate", headers=as_admin).status_code == 404
    assert client.post(f"/api/v1/users/{2**70}/deactivate", headers=as_admin).status_code == 422
    db.expire_all()
    assert db.get(User, citizen.id).active  # type: ignore[union-attr]


def test_signing_one_token_out_twice_is_harmless_and_old_rows_go(db: Session) -> None:
    from datetime import timedelta

    from venuecode.audit.service import Actor
    from venuecode.people.models import RevokedToken

    citizen = factories.user(db)
    db.commit()
    secret = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
    claims = auth.peek_claims(secret, auth.issue_token(secret, citizen))
    old = auth.TokenClaims(citizen.id, 0, False, "old-one", claims.issued_at - timedelta(
        days=31))  # type: ignore[operator]
    auth.revoke_token(db, Actor.cli(), old)
    db.commit()
    # A second sign-out of the same token (two taps, two tabs) inserts nothing new.
    for _ in range(2):
        auth.revoke_token(db, Actor.cli(), claims)
        db.commit()
    assert set(db.scalars(select(RevokedToken.jti))) == {claims.jti}  # the expired row went
