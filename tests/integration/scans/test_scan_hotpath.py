"""The one-statement scan path reads and answers exactly what the ORM path did."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.ratelimit import Limiter
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.facts.models import ContactMark, ItineraryRecord, RiskAreaRecord
from venuecode.facts.repository import active_risk_areas, person_facts
from venuecode.people.models import User
from venuecode.policy.facts import PersonFacts
from venuecode.proofs.keys import ProofKeys
from venuecode.scans import hotpath
from venuecode.scans.present import scan_json
from venuecode.scans.schemas import ScanResult
from venuecode.scans.service import scan
from venuecode.venues import service as venues
from venuecode.venues.tokens import verify_venue_code


def signer(settings: Settings) -> venues.CodeSigner:
    return venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)


def everything(db: Session, number: str, now: datetime) -> None:
    """One person with every kind of fact, including rows the reads must leave out."""
    prov = {"source": "test", "batch_id": None, "received_at": now}
    f.healthy(db, number, now)
    f.negative_test(db, number, now - timedelta(days=20))  # older than any window
    f.case(db, number, now - timedelta(days=2))
    db.add_all([
        ItineraryRecord(id_number=number, city="上海市", arrived_at=now - timedelta(days=5),
                        left_at=now - timedelta(days=3), **prov),
        ItineraryRecord(id_number=number, city="杭州市", arrived_at=now - timedelta(days=3),
                        left_at=None, **prov),
        ItineraryRecord(id_number=number, city="北京市", arrived_at=now - timedelta(days=40),
                        left_at=now - timedelta(days=30), **prov),
        ContactMark(id_number=number, kind="close", since=now - timedelta(days=1),
                    instruction="居家隔离"),
        ContactMark(id_number=number, kind="general", since=now - timedelta(days=9),
                    instruction=None, cleared_at=now - timedelta(days=2)),
        RiskAreaRecord(area="上海市", level="high", since=now - timedelta(days=10), until=None,
                       **prov),
        RiskAreaRecord(area="北京市", level="medium", since=now - timedelta(days=60),
                       until=now - timedelta(days=45), **prov),
    ])
    db.flush()


def canonical(facts: PersonFacts) -> tuple[object, ...]:
    # Row order is the database's in both paths: compare as sorted lists.
    return (facts.health_code, sorted(facts.tests, key=repr),
            sorted(facts.vaccinations, key=repr), sorted(facts.itinerary, key=repr),
            sorted(facts.marks, key=repr))


def test_the_one_select_reads_the_facts_and_risk_areas_the_orm_reads(
        db: Session, settings: Settings, clock: FixedClock) -> None:
    number = factories.id_number(21)
    now = clock.now()
    everything(db, number, now)
    venue = factories.venue(db)
    claims = verify_venue_code(signer(settings).key, 1, venues.venue_token(signer(settings), venue)
                         or "")
    read = hotpath.read_scan(db.connection(), claims, now, settings.scan_repeat_minutes,
                             id_number=number)
    assert canonical(read.facts) == canonical(person_facts(db, number, now))
    assert len(read.facts.marks) == 2 and len(read.facts.itinerary) == 2
    lookback = timedelta(days=7)
    assert (sorted(hotpath.read_risk_areas(db.connection(), now - lookback), key=repr)
            == sorted(active_risk_areas(db, now, lookback), key=repr))
    resolved = read.resolve(claims, signer(settings), now)
    assert (resolved.venue.id, resolved.venue.name, resolved.sub_area) == (venue.id, venue.name,
                                                                            None)


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("kind", ["pass", "deny"])
def test_the_scan_json_is_exactly_the_documented_model(db: Session, settings: Settings, clock: FixedClock,
                                          locale: str, kind: str) -> None:
    number = factories.id_number(22)
    now = clock.now()
    if kind == "pass":
        f.healthy(db, number, now)
    else:
        everything(db, number, now)
    venue = factories.venue(db, sub_areas=["东门"])
    area = venue.sub_areas[0]
    url = signer(settings).url(venues.sub_area_token(signer(settings), venue, area) or "")
    outcome = scan(db, settings, signer(settings), number, "张三", url, now,
                   flood_key=f"test:{kind}:{locale}", limiter=Limiter.memory())
    assert outcome.decision.verdict == kind
    body = scan_json(outcome, locale, ProofKeys.from_settings(settings), now)
    assert ScanResult.model_validate(body).model_dump(mode="json") == body


def test_a_sub_area_code_scans_and_a_reissue_is_refused_on_the_next_scan(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers = sign_in(client, settings, "13700000031")
    number = factories.id_number(23)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "王五"},
                      headers=headers).status_code == 200
    f.healthy(db, number, clock.now())
    venue = factories.venue(db, venue_id="HZ-AREA", sub_areas=["东门"])
    db.commit()
    url = signer(settings).url(
        venues.sub_area_token(signer(settings), venue, venue.sub_areas[0]) or "")
    first = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["venue"]["sub_area"] == "东门" and first.json()["decision"] == "pass"

    venues.reissue_code(db, Actor.cli(), venues.get_venue(db, "HZ-AREA"))
    db.commit()
    again = client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)
    assert again.status_code == 422 and again.json()["error"]["code"] == "code_replaced"


def test_a_sign_out_everywhere_or_a_deactivation_applies_to_the_next_scan(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers = sign_in(client, settings, "13700000032")
    number = factories.id_number(24)
    assert client.put("/api/v1/me/identity", json={"id_number": number, "name": "赵六"},
                      headers=headers).status_code == 200
    f.healthy(db, number, clock.now())
    venue = factories.venue(db)
    db.commit()
    url = signer(settings).url(venues.venue_token(signer(settings), venue) or "")
    assert client.post("/api/v1/scans", json={"venue_code": url},
                       headers=headers).status_code == 201
    user = db.query(User).filter(User.id_number == number).one()
    user.token_version += 1
    db.commit()
    assert client.post("/api/v1/scans", json={"venue_code": url},
                       headers=headers).status_code == 401
    assert client.post("/api/v1/scans", json={"venue_code": url}).status_code == 401


def test_a_missing_identity_is_reported_before_a_broken_code(
        client: TestClient, settings: Settings) -> None:
    headers = sign_in(client, settings, "13700000033")
    response = client.post("/api/v1/scans", json={"venue_code": "garbage"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "identity_required"
