"""Venue ids the web cannot carry are refused where venues are created (issue 11).

A venue imported as `A/B` could not be managed from any page or API route: `/` cannot
stand in one path segment. The rule (`venues.ids`): refused by the `venues` import with
the field named, by the service for any caller, by the application API; stored ones are
reported by `venuecode venues check-ids`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.integration.ingest.conftest import write_csv
from venuecode.audit.service import Actor
from venuecode.cli.main import app
from venuecode.clock import FixedClock
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker, transaction
from venuecode.errors import InvalidInput
from venuecode.ingest.service import import_file
from venuecode.schema import create_schema
from venuecode.venues.ids import venue_id_problem
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue

HEADER = ["venue_id", "name", "category", "district", "address", "dwell_minutes"]
UNSAFE = ["A/B", "C\\D", "E?F", "G#H", "I%2FJ", "K L", "..", "."]


def test_a_venues_import_rejects_ids_with_a_slash_and_names_the_field(
        db: Session, tmp_path: Path, clock: FixedClock) -> None:
    rows = [[v, f"场所{i}", "market", "", "", ""] for i, v in enumerate(UNSAFE)]
    rows.append(["OK-1.a_b", "好场所", "market", "", "", ""])
    summary = import_file(db, "venues", write_csv(tmp_path / "venues.csv", HEADER, rows))
    assert (summary.accepted, summary.rejected) == (1, len(UNSAFE))
    for rejected in summary.rejects:
        [reason] = rejected.reasons
        assert (reason.field, reason.code) == ("venue_id", "venue_id_unsafe")
        assert "场所编号" in reason.zh and "web address" in reason.en
    slash = next(r for r in summary.rejects if r.position == 2).reasons[0]
    assert "“/”" in slash.zh
    stored = db.execute(text("SELECT venue_id FROM venues WHERE venue_id IN (:a, :b, :c)"),
                        {"a": "A/B", "b": "..", "c": "OK-1.a_b"}).scalars().all()
    assert stored == ["OK-1.a_b"]


def test_the_service_refuses_an_unsafe_id_from_any_caller(db: Session, clock: FixedClock) -> None:
    # model_construct: as a caller that built the application without its pattern check.
    application = VenueApplication.model_construct(
        name="斜杠", category="market", district="西湖区", address="", manager_name="王",
        manager_phone="13900000000", capacity=None, sub_areas=[], venue_id="X/1")
    with pytest.raises(InvalidInput) as refused:
        apply_for_venue(db, Actor.cli(), application, None)
    assert refused.value.code == "venue_id_unsafe" and refused.value.details["field"] == "venue_id"
    assert db.execute(text("SELECT count(*) FROM venues WHERE venue_id = 'X/1'")).scalar_one() == 0


def test_the_application_api_names_the_field(client: TestClient, settings: Settings,
                                              db: Session) -> None:
    from tests.support import factories
    from venuecode.access.roles import Role
    from venuecode.people.auth import issue_token

    manager = factories.user(db, Role.VENUE_MANAGER)
    db.flush()
    headers = {"Authorization": f"Bearer {issue_token(settings.secret('secret_key'), manager)}"}
    response = client.post("/api/v1/venues", headers=headers, json={
        "name": "斜杠", "category": "market", "district": "西湖区", "manager_name": "王",
        "manager_phone": "13900000000", "venue_id": "X/1"})
    assert response.status_code == 422
    assert "venue_id" in response.text


@pytest.fixture
def cli_db(tmp_path: Path, settings: Settings) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/ids.db"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    set_settings(settings.model_copy(update={"database_url": url}))
    yield url


def _insert_venue(url: str, venue_id: str) -> None:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        session.execute(text(
            "INSERT INTO venues (venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, code_issue, created_at)"
            " VALUES (:v, '旧场所', 'market', '西湖区', '', '王', '13900000000', 'approved', 1, 0)"),
            {"v": venue_id})
    engine.dispose()


def test_check_ids_reports_stored_venues_the_web_cannot_manage(cli_db: str) -> None:
    _insert_venue(cli_db, "GOOD-1")
    clean = CliRunner().invoke(app, ["venues", "check-ids"])
    assert clean.exit_code == 0, clean.output
    _insert_venue(cli_db, "OLD/7")
    found = CliRunner().invoke(app, ["venues", "check-ids"])
    assert found.exit_code == 1
    assert found.stdout.splitlines() == [
        "OLD/7\tapproved\t旧场所\t" + (venue_id_problem("OLD/7") or ("", ""))[0]]
    assert "1 venue(s) cannot be managed from the web" in found.stderr
