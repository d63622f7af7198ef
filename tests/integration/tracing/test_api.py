"""Tracing API: run (reason required), read, export; permission trace.run; audit events."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.tracing.test_service import CASE, CLOSE, FORMULA, seed_city
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings

BODY = {"cases": [CASE], "as_of": "2022-04-19T08:00:00+08:00", "reason": "病例 1 流调"}


@pytest.fixture
def tracer(client: TestClient, settings: Settings, db: Session, clock: FixedClock) -> dict[str, str]:
    seed_city(db)
    user = factories.user(db, Role.TRACER)
    db.commit()
    return sign_in(client, settings, user.phone, factories.PASSWORD)


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("trace.%"))
                           .order_by(AuditEvent.id)))


def test_a_tracer_runs_reads_and_exports_a_trace_and_every_step_is_audited(
        client: TestClient, db: Session, tracer: dict[str, str]) -> None:
    created = client.post("/api/v1/traces", json=BODY, headers=tracer)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["result"]["contacts"][0]["id_number"] == CLOSE and body["cases"] == [CASE]
    trace_id = body["id"]

    read = client.get(f"/api/v1/traces/{trace_id}", headers=tracer)
    assert read.status_code == 200 and read.json()["result"] == body["result"]
    assert [t["id"] for t in client.get("/api/v1/traces", headers=tracer).json()] == [trace_id]

    exported = client.get(f"/api/v1/traces/{trace_id}/export.csv", headers=tracer)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("导出人 ") and "仅限疫情防控使用" in rows[0][0]
    assert "'" + FORMULA in [c for r in rows for c in r]

    xlsx = client.get(f"/api/v1/traces/{trace_id}/export.xlsx", headers=tracer)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
              if c.value is not None]
    # Text is text (never a formula); exposure minutes are numbers and times are times.
    assert {c.data_type for c in values} == {"s", "n", "d"}
    assert all(isinstance(c.value, str) for c in values if c.data_type == "s")
    assert "'" + FORMULA in [c.value for c in values]
    assert all(not str(c.value).startswith("=") for c in values)

    assert client.get(f"/api/v1/traces/{trace_id}/export.pdf", headers=tracer).status_code == 422
    assert actions(db) == ["trace.run", "trace.viewed", "trace.listed", "trace.exported",
                           "trace.exported"]
    run = db.scalars(select(AuditEvent).where(AuditEvent.action == "trace.run")).one()
    assert run.reason == "病例 1 流调" and CASE in run.details


@pytest.mark.parametrize("change", [{"reason": ""}, {"reason": "  "}, {"cases": []},
                                    {"all_cases": True}, {"depth": 7}, {"as_of": "soon"},
                                    {"dwell_minutes": {"spaceship": 10}}, {"dwell_minutes": {"metro": -1}}])
def test_bad_requests_are_refused_and_store_nothing(
        client: TestClient, db: Session, tracer: dict[str, str], change: dict[str, object]) -> None:
    response = client.post("/api/v1/traces", json={**BODY, **change}, headers=tracer)
    assert response.status_code == 422, response.text
    assert actions(db) == []


def test_a_stay_override_is_applied_and_kept_with_the_trace(client: TestClient, tracer: dict[str, str]) -> None:
    created = client.post("/api/v1/traces", json={**BODY, "dwell_minutes": {"restaurant": 30}}, headers=tracer)
    assert created.status_code == 201, created.text
    result = created.json()["result"]
    assert result["rules"]["dwell_minutes"] == {"restaurant": 30.0}
    stored = client.get(f"/api/v1/traces/{created.json()['id']}", headers=tracer).json()["result"]
    assert stored["rules"] == result["rules"]


def test_unknown_cases_are_named(client: TestClient, tracer: dict[str, str]) -> None:
    stranger = factories.id_number(77)
    response = client.post("/api/v1/traces", json={**BODY, "cases": [stranger]}, headers=tracer)
    assert response.status_code == 422 and stranger in response.text


def test_citizens_and_anonymous_callers_may_not_trace(
        client: TestClient, settings: Settings, db: Session, tracer: dict[str, str]) -> None:
    trace_id = client.post("/api/v1/traces", json=BODY, headers=tracer).json()["id"]
    citizen = factories.user(db, Role.CITIZEN)
    db.commit()
    headers = sign_in(client, settings, citizen.phone)
    assert client.post("/api/v1/traces", json=BODY, headers=headers).status_code == 403
    assert client.get(f"/api/v1/traces/{trace_id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/traces/{trace_id}/export.csv", headers=headers).status_code == 403
    assert client.get(f"/api/v1/traces/{trace_id}").status_code == 401
    assert client.get("/api/v1/traces/999999", headers=tracer).status_code == 404
    assert actions(db) == ["trace.run"]
