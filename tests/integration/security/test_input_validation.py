"""Issue 11, finding 13: wrong dates and ids are a 422 naming the parameter, never a 500.

Impossible days (`2026-02-30`, `0000-00-00`), days at the calendar's end (`9999-12-31`,
whose next midnight does not exist) and ids beyond 64 bits, on the entries, district
volume, graph and id routes; ids beyond 32 bits on PostgreSQL (its INTEGER columns, found
by schemathesis). Each failed with a 500 before the parameters were typed
(`venuecode.web.params`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.tracing.test_service import AS_OF, CASE, seed_city
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.config import Settings
from venuecode.people.auth import issue_token
from venuecode.people.models import User
from venuecode.tracing.service import TraceRequest, run_trace

BAD_DAYS = ["2026-02-30", "0000-00-00", "9999-12-31", "2026-13-01", "1-1-1"]
HUGE = str(2**64)


def _bearer(settings: Settings, user: User) -> dict[str, str]:
    token = issue_token(settings.secret("secret_key"), user,
                        second_factor=user.password_hash is not None)
    return {"Authorization": f"Bearer {token}"}


def _names(response, field: str) -> bool:  # type: ignore[no-untyped-def]
    return any(p["field"].endswith(field) for p in response.json()["error"]["details"]["problems"])


@pytest.mark.parametrize("day", BAD_DAYS)
def test_a_wrong_day_on_the_entries_and_volumes_is_a_422_naming_it(
        client: TestClient, db: Session, settings: Settings, day: str) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager)
    admin = factories.user(db, Role.DISTRICT_ADMIN)
    db.commit()
    entries = client.get(f"/api/v1/venues/{venue.venue_id}/entries", params={"day": day},
                         headers=_bearer(settings, manager))
    assert entries.status_code == 422 and _names(entries, "day"), entries.text
    volumes = client.get("/api/v1/district/volumes", params={"day": day},
                         headers=_bearer(settings, admin))
    assert volumes.status_code == 422 and _names(volumes, "day"), volumes.text
    page = client.get("/admin/district", params={"day": day},
                      headers={**_bearer(settings, admin), "accept": "text/html"})
    assert page.status_code == 422 and "day" in page.text


def test_a_good_day_still_answers(client: TestClient, db: Session, settings: Settings) -> None:
    admin = factories.user(db, Role.DISTRICT_ADMIN)
    db.commit()
    volumes = client.get("/api/v1/district/volumes", params={"day": "2024-02-29"},
                         headers=_bearer(settings, admin))
    assert volumes.status_code == 200, volumes.text


@pytest.mark.parametrize("path", [f"/api/v1/traces/{HUGE}", f"/api/v1/traces/{HUGE}/export.csv",
                                  f"/tracing/traces/{HUGE}", f"/tracing/traces/{HUGE}/graph",
                                  f"/tracing/traces/{HUGE}/graph.json", "/api/v1/traces/0",
                                  f"/api/v1/traces/{2**31}"])  # PostgreSQL INTEGER ends at 2**31 - 1
def test_an_id_beyond_64_bits_is_a_422_naming_it(
        client: TestClient, db: Session, settings: Settings, path: str) -> None:
    tracer = factories.user(db, Role.TRACING_SUPERVISOR)
    db.commit()
    response = client.get(path, headers=_bearer(settings, tracer))
    assert response.status_code == 422 and _names(response, "trace_id"), response.text


@pytest.mark.parametrize("path", [f"/tracing/actions/{HUGE}/approve", f"/tracing/actions/{HUGE}/reject"])
def test_an_action_id_beyond_64_bits_is_a_422(
        client: TestClient, db: Session, settings: Settings, path: str) -> None:
    supervisor = factories.user(db, Role.TRACING_SUPERVISOR)
    db.commit()
    response = client.post(path, headers=_bearer(settings, supervisor), data={"reason": "x"})
    assert response.status_code == 422 and _names(response, "action_id"), response.text


def test_a_batch_id_beyond_64_bits_is_a_422(client: TestClient, db: Session, settings: Settings) -> None:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    response = client.get(f"/admin/ingest/batches/{HUGE}/rejects.csv", headers=_bearer(settings, admin))
    assert response.status_code == 422 and _names(response, "batch_id"), response.text


@pytest.mark.parametrize("bound", ["from", "to"])
@pytest.mark.parametrize("day", ["0001-01-01", "2026-02-30", "0000-00-00"])
def test_the_graph_refuses_a_day_it_cannot_hold(
        client: TestClient, db: Session, settings: Settings, clock: object, bound: str,
        day: str) -> None:
    # 0001-01-01 at local midnight (UTC+8) is before the first instant Python can hold.
    seed_city(db)
    user = factories.user(db, Role.TRACER)
    trace = run_trace(db, settings, Actor(f"user:{user.id}", "tracer"), user.id,
                      TraceRequest([CASE], as_of=AS_OF, reason="input validation"))
    db.commit()
    response = client.get(f"/tracing/traces/{trace.id}/graph.json", params={bound: day},
                          headers=_bearer(settings, user))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_date"


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/traces?limit=-1", "limit"),  # PostgreSQL: "LIMIT must not be negative"
    (f"/api/v1/traces?limit={HUGE}", "limit"),
    (f"/tracing/traces/1?page={HUGE}", "page"),
])
def test_a_count_out_of_range_is_a_422_naming_it(
        client: TestClient, db: Session, settings: Settings, path: str, field: str) -> None:
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    response = client.get(path, headers=_bearer(settings, tracer))
    assert response.status_code == 422 and _names(response, field), response.text


def test_a_sub_area_beyond_32_bits_is_a_422(client: TestClient, db: Session, settings: Settings) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=manager)
    db.commit()
    response = client.get(f"/api/v1/venues/{venue.venue_id}/poster.png?sub_area={HUGE}",
                          headers=_bearer(settings, manager))
    assert response.status_code == 422 and _names(response, "sub_area"), response.text
