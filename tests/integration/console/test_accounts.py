"""Accounts in the operator console: list, filter, create, deactivate, reactivate, sign out
everywhere, reset password; bad input names the field and stores nothing; district admins
reach only their district's venue managers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.integration.console.conftest import actions_about, headers_for, staff
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.people.auth import _hasher
from venuecode.people.models import User

STRONG = "violet-harbor-trumpet-lantern"


def _count(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(User)) or 0)


def test_a_system_admin_creates_a_district_admin_and_finds_it_by_role_and_district(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, headers = staff(db, settings)
    form = {"phone": "13912340001", "role": "district_admin", "name": "上城区 孙七",
            "district": "上城区", "password": STRONG}
    created = client.post("/admin/console/accounts", data=form, headers=headers,
                          follow_redirects=False)
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/console/accounts?done=created"
    account = db.scalar(select(User).where(User.phone == "13912340001"))
    assert account is not None and account.role == "district_admin"
    assert account.district == "上城区" and account.created_by == admin.id
    assert _hasher.verify(account.password_hash, STRONG)
    assert actions_about(db, "user", account.id) == ["user.created"]

    page = client.get("/admin/console/accounts?done=created&role=district_admin&district=上城区",
                      headers=headers)
    assert page.status_code == 200
    assert "账号已创建。" in page.text
    assert f'data-account="{account.id}"' in page.text
    assert "区级管理员" in page.text and "district_admin</td>" not in page.text
    other = client.get("/admin/console/accounts?district=西湖区", headers=headers)
    assert f'data-account="{account.id}"' not in other.text


def test_a_venue_manager_needs_no_password_and_gets_none(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    response = client.post("/admin/console/accounts", headers=headers, follow_redirects=False,
                           data={"phone": "139 1234 0002", "role": "venue_manager",
                                 "password": "whatever"})
    assert response.status_code == 303
    account = db.scalar(select(User).where(User.phone == "13912340002"))
    assert account is not None and account.password_hash is None


BAD = [
    ({"phone": "12345", "role": "tracer", "password": STRONG}, "手机号码：请输入11位手机号码。"),
    ({"phone": "13912340009", "role": "tracer", "password": "short"},
     "密码：密码至少需要10个字符。"),
    ({"phone": "13912340009", "role": "tracer", "password": "password123456"}, "密码：密码太容易被猜到"),
    ({"phone": "13912340009", "role": "tracer"}, "密码：该角色登录时需要密码"),
    ({"phone": "13912340009", "role": "district_admin", "password": STRONG}, "所属区县：区县管理员需要指定所辖区县。"),
    ({"phone": "13912340009", "role": "tracer", "district": "西湖", "password": STRONG},
     "所属区县：请从列表中选择区县。"),
    ({"phone": "13912340009", "role": "data_source"}, "角色：您不能创建该角色的账号。"),
    ({"phone": "13912340009", "role": "citizen"}, "角色：您不能创建该角色的账号。"),
    ({"phone": "13912340009", "role": "root"}, "角色：请从列表中选择角色。"),
    ({"phone": "13912340009"}, "角色：请选择角色。"),
]


def test_bad_input_names_the_field_in_chinese_and_stores_nothing(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    before = _count(db)
    for form, message in BAD:
        response = client.post("/admin/console/accounts", data=form, headers=headers)
        assert response.status_code == 422, form
        assert message in response.text, (form, response.text[-1500:])
        assert 'id="console-error"' in response.text
    assert _count(db) == before
    assert db.scalar(select(User).where(User.phone == "13912340009")) is None


def test_english_names_the_field_by_its_english_label(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    response = client.post("/admin/console/accounts?lang=en", headers=headers,
                           data={"phone": "1", "role": "tracer", "password": STRONG})
    assert response.status_code == 422
    assert "Mobile number: Enter an 11-digit mobile number" in response.text
    # The page itself is English too, and the password typed is not sent back.
    assert "Create the account" in response.text and STRONG not in response.text


def test_an_existing_phone_is_refused_and_the_account_is_unchanged(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    citizen = factories.user(db)
    db.commit()
    response = client.post("/admin/console/accounts", headers=headers,
                           data={"phone": citizen.phone, "role": "tracer", "password": STRONG})
    assert response.status_code == 422 and "手机号码：该手机号已有账号。" in response.text
    db.refresh(citizen)
    assert citizen.role == "citizen" and citizen.password_hash is None


def test_a_field_too_long_for_the_form_is_named_too(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    response = client.post("/admin/console/accounts", headers=headers,
                           data={"phone": "1" * 30, "role": "tracer"})
    assert response.status_code == 422 and "手机号码" in response.text


def test_deactivate_activate_and_sign_out_everywhere(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, headers = staff(db, settings)
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    tracer_headers = headers_for(settings, tracer)
    assert client.get("/api/v1/me", headers=tracer_headers).status_code == 200

    done = client.post(f"/admin/console/accounts/{tracer.id}/signout", headers=headers,
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=signed_out")
    assert client.get("/api/v1/me", headers=tracer_headers).status_code == 401
    db.refresh(tracer)
    assert tracer.token_version == 1 and tracer.active

    tracer_headers = headers_for(settings, tracer)
    off = client.post(f"/admin/console/accounts/{tracer.id}/deactivate", headers=headers,
                      follow_redirects=False)
    assert off.headers["location"].endswith("done=deactivated")
    db.refresh(tracer)
    assert not tracer.active
    assert client.get("/api/v1/me", headers=tracer_headers).status_code == 401
    listing = client.get("/admin/console/accounts?done=deactivated", headers=headers)
    assert "账号已停用，并已在所有设备上退出登录。" in listing.text and "已停用" in listing.text
    # Asking first: the form says what will happen before it is sent.
    assert f'action="/admin/console/accounts/{tracer.id}/activate"' in listing.text

    on = client.post(f"/admin/console/accounts/{tracer.id}/activate", headers=headers,
                     follow_redirects=False)
    assert on.headers["location"].endswith("done=activated")
    db.refresh(tracer)
    assert tracer.active
    assert actions_about(db, "user", tracer.id)[-3:] == [
        "user.signed_out_everywhere", "user.deactivated", "user.activated"]

    myself = client.post(f"/admin/console/accounts/{admin.id}/deactivate", headers=headers)
    assert myself.status_code == 409 and "不能停用自己的账号" in myself.text
    db.refresh(admin)
    assert admin.active


def test_destructive_actions_ask_first(client: TestClient, settings: Settings,
                                       db: Session) -> None:
    _, headers = staff(db, settings)
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    listing = client.get("/admin/console/accounts", headers=headers).text
    row = listing.split(f'data-account="{tracer.id}"')[1].split("</tr>")[0]
    assert row.count("data-confirm=") == 2  # deactivate, sign out everywhere
    assert f"确定停用 {tracer.phone} 吗？" in row
    form = client.get(f"/admin/console/accounts/{tracer.id}/password", headers=headers).text
    assert f"确定重置 {tracer.phone} 的密码吗？" in form


def test_reset_password_shows_a_temporary_password_once_or_sets_the_one_given(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    old_hash = tracer.password_hash
    response = client.post(f"/admin/console/accounts/{tracer.id}/password", headers=headers,
                           data={"password": ""})
    assert response.status_code == 200
    temporary = response.text.split('id="temporary-password">')[1].split("<")[0]
    assert len(temporary) == 24
    db.refresh(tracer)
    assert _hasher.verify(tracer.password_hash, temporary) and tracer.token_version == 1
    assert "已设置临时密码" in response.text
    # Never again: the account list and the form do not show it.
    assert temporary not in client.get("/admin/console/accounts", headers=headers).text
    assert temporary not in client.get(f"/admin/console/accounts/{tracer.id}/password",
                                       headers=headers).text

    weak = client.post(f"/admin/console/accounts/{tracer.id}/password", headers=headers,
                       data={"password": "abc"})
    assert weak.status_code == 422 and "密码：密码至少需要10个字符。" in weak.text
    db.refresh(tracer)
    assert _hasher.verify(tracer.password_hash, temporary)

    chosen = client.post(f"/admin/console/accounts/{tracer.id}/password", headers=headers,
                         data={"password": STRONG}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"].endswith("done=password_set")
    db.refresh(tracer)
    assert _hasher.verify(tracer.password_hash, STRONG) and tracer.password_hash != old_hash
    assert actions_about(db, "user", tracer.id).count("user.password_set") == 2

    citizen = factories.user(db)
    db.commit()
    none = client.post(f"/admin/console/accounts/{citizen.id}/password", headers=headers,
                       data={"password": STRONG})
    assert none.status_code == 409 and "没有密码" in none.text
    assert client.get(f"/admin/console/accounts/{citizen.id}/password",
                      headers=headers).status_code == 409
    db.refresh(citizen)
    assert citizen.password_hash is None


def test_accounts_are_paginated(client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    for _ in range(51):
        factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    first = client.get("/admin/console/accounts?role=venue_manager", headers=headers).text
    assert first.count("data-account=") == 50 and 'rel="next"' in first
    assert "page=2" in first and "role=venue_manager" in first.split('rel="next"')[0][-200:]
    second = client.get("/admin/console/accounts?role=venue_manager&page=2", headers=headers).text
    assert second.count("data-account=") >= 1 and 'rel="prev"' in second
    bad = client.get("/admin/console/accounts?page=x", headers=headers)
    assert bad.status_code == 422 and "页码" in bad.text
    citizens = client.get("/admin/console/accounts?role=citizen", headers=headers)
    assert citizens.status_code == 422 and "data-account=" not in citizens.text
    unknown = client.get("/admin/console/accounts?district=西湖", headers=headers)
    assert unknown.status_code == 422 and "所属区县：请从列表中选择区县。" in unknown.text


def test_a_district_admin_reaches_only_the_venue_managers_of_their_district(
        client: TestClient, settings: Settings, db: Session) -> None:
    me, headers = staff(db, settings, Role.DISTRICT_ADMIN, "西湖区")
    by_account = factories.user(db, Role.VENUE_MANAGER, "西湖区")
    by_venue = factories.user(db, Role.VENUE_MANAGER)
    factories.venue(db, manager=by_venue, district="西湖区")
    elsewhere = factories.user(db, Role.VENUE_MANAGER, "上城区")
    tracer = factories.user(db, Role.TRACER)
    colleague = factories.user(db, Role.DISTRICT_ADMIN, "西湖区")
    db.commit()

    listing = client.get("/admin/console/accounts", headers=headers).text
    shown = {u.id for u in (by_account, by_venue, elsewhere, tracer, colleague, me)
             if f'data-account="{u.id}"' in listing}
    assert shown == {by_account.id, by_venue.id}
    assert "重置密码" not in listing  # venue managers have no password
    # Created for their own district whatever the form says; only venue managers.
    made = client.post("/admin/console/accounts", headers=headers, follow_redirects=False,
                       data={"phone": "13912340077", "role": "venue_manager",
                             "district": "上城区"})
    assert made.status_code == 303
    assert db.scalar(select(User.district).where(User.phone == "13912340077")) == "西湖区"
    tracer_form = client.post("/admin/console/accounts", headers=headers,
                              data={"phone": "13912340078", "role": "tracer",
                                    "password": STRONG})
    assert tracer_form.status_code == 422 and "角色：您不能创建该角色的账号。" in tracer_form.text
    assert db.scalar(select(User).where(User.phone == "13912340078")) is None

    for other in (elsewhere, tracer, colleague):
        response = client.post(f"/admin/console/accounts/{other.id}/deactivate", headers=headers)
        assert response.status_code == 404, other.role
        db.refresh(other)
        assert other.active
    ok = client.post(f"/admin/console/accounts/{by_venue.id}/deactivate", headers=headers,
                     follow_redirects=False)
    assert ok.status_code == 303
    reset = client.post(f"/admin/console/accounts/{by_account.id}/password", headers=headers,
                        data={"password": ""})
    assert reset.status_code == 403
    for path in ("/admin/console/keys", "/admin/console/audit", "/admin/console/settings"):
        assert client.get(path, headers=headers).status_code == 403, path
    home = client.get("/admin/console", headers=headers).text
    assert "/admin/console/accounts" in home and "/admin/console/audit" not in home


def test_others_may_not_use_the_console(client: TestClient, settings: Settings,
                                        db: Session) -> None:
    target = factories.user(db, Role.TRACER)
    db.commit()
    for role in (Role.CITIZEN, Role.VENUE_MANAGER, Role.TRACER, Role.TRACING_SUPERVISOR):
        _, headers = staff(db, settings, role)
        assert client.get("/admin/console", headers=headers).status_code == 403
        response = client.post(f"/admin/console/accounts/{target.id}/deactivate",
                               headers=headers)
        assert response.status_code == 403
    db.refresh(target)
    assert target.active
    anonymous = client.get("/admin/console", headers={"accept": "text/html"},
                           follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_system_admins_home_links_the_console_not_the_district_volumes(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    home = client.get("/", headers=headers).text
    assert 'href="/admin/console"' in home and "运维控制台" in home
    assert 'href="/admin/district"' not in home
    console = client.get("/admin/console", headers=headers).text
    for path in ("/admin/console/accounts", "/admin/console/keys", "/admin/console/audit",
                 "/admin/ingest", "/admin/ingest/batches", "/admin/console/settings",
                 "/api/docs"):
        assert f'href="{path}"' in console, path
    _, district_headers = staff(db, settings, Role.DISTRICT_ADMIN, "西湖区")
    district_home = client.get("/", headers=district_headers).text
    assert 'href="/admin/district"' in district_home and 'href="/admin/console"' in district_home
