from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.venues import service as venues


@pytest.fixture
def citizen(client: TestClient, settings: Settings, db: Session, clock: FixedClock
            ) -> tuple[dict[str, str], str]:
    headers = sign_in(client, settings, "13700000001")
    number = factories.id_number(11)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "张三"},
                      headers=headers).status_code == 200
    return headers, number


def code_of(db: Session, settings: Settings, **overrides: object) -> str:
    venue = factories.venue(db, **overrides)
    db.commit()
    signer = venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)
    token = venues.venue_token(signer, venue)
    assert token is not None
    return signer.url(token)


def entries(db: Session, number: str) -> int:
    return db.scalar(select(func.count(Checkin.id)).where(Checkin.id_number == number)) or 0


def denials(db: Session, number: str) -> int:
    return db.scalar(select(func.count(DeniedAttempt.id)).where(
        DeniedAttempt.id_number == number)) or 0


def test_a_healthy_citizen_passes_and_the_entry_is_recorded_once(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings)
    first = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["decision"] == "pass" and body["reasons"] == []) or all(
        r["severity"] != "deny" for r in body["reasons"])
    assert body["health_code"]["color"] == "green"
    assert body["nucleic_acid"]["result"] == "negative"
    assert body["vaccination"]["doses"] == 3
    assert body["itinerary"]["any_risk"] is False
    assert body["venue"]["name"] == "文三路农贸市场"
    assert entries(db, number) == 1

    clock.advance(timedelta(minutes=2))
    again = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers).json()
    assert again["repeat"] is True and again["id"] == body["id"]
    assert entries(db, number) == 1

    clock.advance(timedelta(minutes=10))
    later = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers).json()
    assert later["repeat"] is False and entries(db, number) == 2


def test_a_red_code_is_denied_and_kept_as_a_denied_attempt_not_an_entry(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    f.health_code(db, number, "red", clock.now() - timedelta(hours=1), "密接")
    body = client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                       headers=headers).json()
    assert body["decision"] == "deny" and body["id"] is None
    assert "health_code_red" in {r["code"] for r in body["reasons"]}
    assert entries(db, number) == 0 and denials(db, number) == 1


def test_a_health_code_change_takes_effect_on_the_next_scan(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings)
    assert client.post("/api/v1/scans", json={"venue_code": url},
                       headers=headers).json()["decision"] == "pass"
    f.health_code(db, number, "yellow", clock.now())
    db.commit()
    clock.advance(timedelta(minutes=1))
    body = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers).json()
    assert body["decision"] == "deny"
    assert "health_code_yellow" in {r["code"] for r in body["reasons"]}


def test_a_new_case_record_denies_that_persons_scans(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    f.case(db, number, clock.now() - timedelta(days=1))
    db.commit()
    body = client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                       headers=headers).json()
    assert body["decision"] == "deny"
    assert entries(db, number) == 0


def test_an_expired_test_is_denied_at_a_venue_with_a_72_hour_window(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.health_code(db, number, "green", clock.now() - timedelta(days=30))
    f.negative_test(db, number, clock.now() - timedelta(hours=80))
    body = client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                       headers=headers).json()
    assert body["decision"] == "deny"
    assert body["nucleic_acid"]["valid_for_venue"] is False


def test_a_scan_without_identity_is_refused_and_nothing_recorded(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers = sign_in(client, settings, "13700000002")
    response = client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)},
                           headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "identity_required"
    assert (db.scalar(select(func.count(Checkin.id))) or 0) == 0


@pytest.mark.parametrize("code", ["AQEAAAAAAQABAAAAAAAAAAAAAA", "garbage", "AQEAAAAAAQAB"])
def test_a_forged_or_broken_code_records_nothing(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen,  # type: ignore[no-untyped-def]
        code: str) -> None:
    headers, number = citizen
    response = client.post("/api/v1/scans", json={"venue_code": code}, headers=headers)
    assert response.status_code == 422
    assert entries(db, number) == 0 and denials(db, number) == 0


def test_a_revoked_venue_code_records_nothing(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings, venue_id="HZ-REV")
    from venuecode.audit.service import Actor

    venues.revoke_venue(db, Actor.cli(), venues.get_venue(db, "HZ-REV"), "closed", None)
    db.commit()
    response = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)
    assert response.json()["error"]["code"] == "code_revoked"
    assert entries(db, number) == 0


def test_a_flood_of_scans_from_one_account_is_limited(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings)
    statuses = [client.post("/api/v1/scans", json={"venue_code": url}, headers=headers).status_code
                for _ in range(25)]
    assert statuses.count(201) == 20 and statuses[-1] == 429
    assert entries(db, number) == 1


def test_an_exit_scan_records_the_check_out_time(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    url = code_of(db, settings)
    client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)
    clock.advance(timedelta(minutes=40))
    left = client.post("/api/v1/scans/exit", json={"venue_code": url}, headers=headers)
    assert left.status_code == 200, left.text
    entry = db.scalar(select(Checkin).where(Checkin.id_number == number))
    db.refresh(entry)
    assert entry is not None and entry.checked_out_at == clock.now()
    again = client.post("/api/v1/scans/exit", json={"venue_code": url}, headers=headers)
    assert again.status_code == 404


def test_the_citizen_sees_their_own_history_only(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, citizen) -> None:  # type: ignore[no-untyped-def]
    headers, number = citizen
    f.healthy(db, number, clock.now())
    client.post("/api/v1/scans", json={"venue_code": code_of(db, settings)}, headers=headers)
    other = sign_in(client, settings, "13700000009")
    assert client.get("/api/v1/me/scans", headers=other).json() == []
    mine = client.get("/api/v1/me/scans", headers=headers).json()
    assert [i["venue_name"] for i in mine] == ["文三路农贸市场"]
