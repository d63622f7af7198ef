"""Real-name binding proves the person (issue 11, finding 1).

The registry must hold the account's own phone for the ID number; every other case gets
one refusal; the proper owner takes an ID number back from whoever bound it first; a
service desk can bind in person; old bindings the rule would refuse are reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import sign_in
from tests.support import factories
from venuecode import clock
from venuecode.access.ratelimit import Limiter
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.cli.main import app as cli_app
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker, transaction
from venuecode.errors import RateLimited
from venuecode.people.binding import BIND_PER_ADDRESS, check_rate
from venuecode.people.binding_audit import failing_bindings
from venuecode.people.models import Person, User
from venuecode.schema import create_schema

PROV = {"source": "test", "batch_id": None}


def registered(db: Session, number: str, name: str, phone: str | None) -> None:
    db.add(Person(id_number=number, name=name, phone=phone, received_at=clock.now(),
                  **PROV))
    db.commit()


def bind(client: TestClient, headers: dict[str, str], number: str, name: str):  # type: ignore[no-untyped-def]
    return client.put("/api/v1/me/identity", json={"id_number": number, "name": name},
                      headers=headers)


def test_only_the_registry_phone_binds(client: TestClient, settings: Settings, db: Session,
                                       clock) -> None:  # type: ignore[no-untyped-def]
    owner_phone, number = factories.phone(), factories.id_number()
    registered(db, number, "李四", owner_phone)
    attacker = sign_in(client, settings, factories.phone())
    refused = bind(client, attacker, number, "李四")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "identity_not_verified"
    assert client.get("/api/v1/me", headers=attacker).json()["identity_bound"] is False
    owner = sign_in(client, settings, owner_phone)
    assert bind(client, owner, number, "李四").status_code == 200
    assert client.get("/api/v1/me", headers=owner).json()["identity_bound"] is True


def test_refusals_are_one_answer_and_audited(client: TestClient, settings: Settings,
                                             db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    mine, other = factories.phone(), factories.phone()
    wrong_name, unknown, phone_mismatch = (factories.id_number() for _ in range(3))
    registered(db, wrong_name, "王五", None)
    registered(db, phone_mismatch, "赵六", other)
    registered(db, factories.id_number(), "某人", mine)
    headers = sign_in(client, settings, mine)
    answers = [bind(client, headers, wrong_name, "王六"), bind(client, headers, unknown, "钱七"),
               bind(client, headers, phone_mismatch, "赵六")]
    assert {a.status_code for a in answers} == {422}
    assert len({a.content for a in answers}) == 1  # same code, message and details
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.action == "identity.refused"))
    assert len(list(refusals)) == 3


def test_the_page_refuses_in_chinese_and_names_the_desk(
        client: TestClient, settings: Settings, db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    number = factories.id_number()
    registered(db, number, "李四", factories.phone())
    headers = sign_in(client, settings, factories.phone())
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    assert "服务窗口" in client.get("/me/identity").text
    page = client.post("/me/identity", data={"id_number": number, "name": "李四", "next": "/"})
    assert page.status_code == 422
    assert "无法完成实名认证" in page.text and "服务窗口" in page.text
    assert client.get("/api/v1/me", headers=headers).json()["identity_bound"] is False


def test_attempts_are_limited_per_account(client: TestClient, settings: Settings,
                                          db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    headers = sign_in(client, settings, factories.phone())
    registered(db, factories.id_number(), "某人", None)
    statuses = [bind(client, headers, factories.id_number(), "孙八").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]


def test_attempts_are_limited_per_address() -> None:
    limiter = Limiter.memory()
    for user_id in range(BIND_PER_ADDRESS.amount):
        check_rate(limiter, user_id, "203.0.113.7")
    with pytest.raises(RateLimited):
        check_rate(limiter, 9999, "203.0.113.7")
    check_rate(limiter, 9999, "203.0.113.8")  # another address still binds


def test_the_owner_takes_an_id_number_back(client: TestClient, settings: Settings,
                                           db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    owner_phone, number = factories.phone(), factories.id_number()
    squatter_phone = factories.phone()
    squatter = sign_in(client, settings, squatter_phone)
    # Bound before the rule existed (or by the development fallback): first come.
    account = db.scalar(select(User).where(User.phone == squatter_phone))
    assert account is not None
    account.id_number, account.real_name = number, "周九"
    registered(db, number, "周九", owner_phone)
    owner = sign_in(client, settings, owner_phone)
    response = bind(client, owner, number, "周九")
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/me", headers=squatter).json()["identity_bound"] is False
    log = client.get("/api/v1/me/access-log", headers=squatter).json()
    assert [e["action"] for e in log] == ["identity.released"]
    assert "解除" in log[0]["reason"]


def test_a_service_desk_binds_in_person(client: TestClient, settings: Settings, db: Session,
                                        clock) -> None:  # type: ignore[no-untyped-def]
    citizen_phone, number = factories.phone(), factories.id_number()
    registered(db, number, "吴十", "13000000000")  # the registry holds an old number
    citizen = sign_in(client, settings, citizen_phone)
    admin = factories.user(db, Role.DISTRICT_ADMIN)
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    body = {"phone": citizen_phone, "id_number": number, "name": "吴十",
            "reason": "居民身份证现场核验"}
    as_tracer = sign_in(client, settings, tracer.phone, factories.PASSWORD)
    assert client.post("/api/v1/identity/desk-bindings", json=body,
                       headers=as_tracer).status_code == 403
    as_admin = sign_in(client, settings, admin.phone, factories.PASSWORD)
    response = client.post("/api/v1/identity/desk-bindings", json=body, headers=as_admin)
    assert response.status_code == 200, response.text
    assert response.json()["user_id"] != admin.id
    assert client.get("/api/v1/me", headers=citizen).json()["identity_bound"] is True
    log = client.get("/api/v1/me/access-log", headers=citizen).json()
    assert [(e["action"], e["role"], e["reason"]) for e in log] == [
        ("identity.desk_bound", "district_admin", "居民身份证现场核验")]
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "identity.bound")).all()
    own = client.post("/api/v1/identity/desk-bindings", headers=as_admin,
                      json={**body, "phone": admin.phone})
    assert own.status_code == 403 and own.json()["error"]["code"] == "desk_bind_self"


def test_old_bindings_that_fail_the_rule_are_reported(db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    fine, moved, gone, renamed = (factories.user(db) for _ in range(4))
    for user, name in ((fine, "甲"), (moved, "乙"), (gone, "丙"), (renamed, "丁")):
        user.id_number, user.real_name = factories.id_number(), name
    db.flush()
    assert fine.id_number and moved.id_number and renamed.id_number
    registered(db, fine.id_number, "甲", fine.phone)
    registered(db, moved.id_number, "乙", "13000000001")
    registered(db, renamed.id_number, "戊", renamed.phone)
    report = {p.user_id: p.problem for p in failing_bindings(db)}
    assert report == {moved.id: "phone_differs", gone.id: "not_in_registry",
                      renamed.id: "name_differs"}
    assert db.get(User, gone.id).id_number is not None  # type: ignore[union-attr]  # reported, not dropped


@pytest.fixture
def cli_db(tmp_path: Path, settings: Settings) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    set_settings(settings.model_copy(update={"database_url": url}))
    yield url


def test_the_desk_and_audit_commands(cli_db: str, clock) -> None:  # type: ignore[no-untyped-def]
    number, phone = factories.id_number(), factories.phone()
    engine = make_engine(cli_db)
    with transaction(make_sessionmaker(engine)) as session:
        user = factories.user(session)
        user.id_number, user.real_name = number, "郑一"  # bound long ago, never proven
        phone = user.phone
        session.add(Person(id_number=number, name="郑一", phone="13000000002",
                           received_at=clock.now(), **PROV))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["users", "audit-bindings"])
    assert result.exit_code == 0, result.output
    assert "phone_differs" in result.stdout and phone in result.stdout
    result = runner.invoke(cli_app, ["users", "bind-identity", phone, "--id-number", number,
                                     "--name", "郑一", "--reason", "服务窗口核验身份证"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli_app, ["users", "audit-bindings"])
    assert result.exit_code == 0 and "phone_differs" not in result.stdout
    engine.dispose()
