"""Every retention period at its edge: a row one second inside its period stays, one second
outside goes (architecture habit 6), on SQLite and PostgreSQL. What is still in force (a
current health code, a stay going on, an open mark, a paper code in use) stays however old.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support import facts as f
from venuecode.assist.models import HelpAlert, PaperCode
from venuecode.audit.models import AuditEvent, AuditSubject
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.facts.models import (
    ContactMark,
    HealthCodeRecord,
    ItineraryRecord,
    NucleicAcidTestRecord,
    VaccinationRecord,
)
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.people.models import RevokedToken, SmsCode
from venuecode.retention.periods import Periods
from venuecode.retention.service import KINDS, purge
from venuecode.scans.models import Checkin, DeniedAttempt

SECOND = timedelta(seconds=1)


@pytest.fixture
def today(clock: FixedClock) -> FixedClock:
    """Today 08:00 UTC: on PostgreSQL the schema made this window's day partitions, so
    the edge rows live in real day partitions and the purge has none to create."""
    clock.set(datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0))
    return clock
PROV = {"source": "test", "batch_id": None}


@dataclass(frozen=True)
class Kind:
    name: str  # the purge's count key
    period: Callable[[Periods], timedelta]
    make: Callable[[Session, int, datetime], str]  # a row whose period counts from `at`
    kept: Callable[[Session], set[str]]  # the keys of the rows still there


def _checkin(db: Session, n: int, at: datetime) -> str:
    number = factories.id_number(n)
    db.add(Checkin(id_number=number, venue_pk=factories.venue(db).id, scanned_at=at))
    return number


def _denied(db: Session, n: int, at: datetime) -> str:
    number = factories.id_number(n)
    db.add(DeniedAttempt(id_number=number, venue_pk=factories.venue(db).id, attempted_at=at,
                         reasons="health_code_red"))
    return number


def _test(db: Session, n: int, at: datetime) -> str:
    f.negative_test(db, factories.id_number(n), at)
    return factories.id_number(n)


def _stay(db: Session, n: int, at: datetime) -> str:
    number = factories.id_number(n)
    db.add(ItineraryRecord(id_number=number, city="上海", arrived_at=at - timedelta(days=3),
                           left_at=at, received_at=at, **PROV))
    return number


def _series(db: Session, n: int, at: datetime) -> str:
    # Two doses, the first 60 days before the latest: the series goes or stays whole.
    f.vaccinated(db, factories.id_number(n), 2, at)
    return factories.id_number(n)


def _lifted_mark(db: Session, n: int, at: datetime) -> str:
    number = factories.id_number(n)
    db.add(ContactMark(id_number=number, kind="close", since=at - timedelta(days=10),
                       instruction="居家", trace_id=None, cleared_at=at, cleared_by="cli",
                       cleared_reason="解除管控"))
    return number


def _revoked_card(db: Session, n: int, at: datetime) -> str:
    number = factories.id_number(n)
    db.add(PaperCode(id_number=number, issue=1, revoked_at=at, issued_at=at - timedelta(days=9)))
    return number


def _alert(db: Session, n: int, at: datetime) -> str:
    helper = factories.user(db)
    db.add(HelpAlert(helper_user_id=helper.id, day=at.date().isoformat(), distinct_persons=9,
                     created_at=at - timedelta(hours=5), updated_at=at))
    return str(helper.id)


def _sms(db: Session, n: int, at: datetime) -> str:
    phone = f"139{n:08d}"
    db.add(SmsCode(phone=phone, code_hash="x" * 64, created_at=at,
                   expires_at=at + timedelta(minutes=5)))
    return phone


def _token(db: Session, n: int, at: datetime) -> str:
    jti = f"jti{n}"
    db.add(RevokedToken(jti=jti, user_id=factories.user(db).id, expires_at=at))
    return jti


def _reject(db: Session, n: int, at: datetime) -> str:
    batch = IngestBatch(kind="checkins", source="test", channel="file", received_at=at,
                        status="done")
    db.add(batch)
    db.flush()
    raw = f"{factories.id_number(n)},HZ-1,2022-01-01"
    db.add(IngestReject(batch_id=batch.id, position=2, reasons="unknown_venue", raw=raw))
    return raw


def _event(db: Session, n: int, at: datetime) -> str:
    event = AuditEvent(at=at, actor="user:1", actor_role="tracer", action="trace.viewed",
                       subject_type="trace", subject_id=f"edge-{n}")
    db.add(event)
    db.flush()
    db.add(AuditSubject(id_number=factories.id_number(n), event_id=event.id))
    return f"edge-{n}"


def _events_with_their_persons(db: Session) -> set[str]:
    events = set(db.scalars(select(AuditEvent.subject_id).where(
        AuditEvent.subject_id.startswith("edge-"))))
    persons = {s for s in db.scalars(select(AuditSubject.id_number))}
    assert persons == {factories.id_number(int(e.split("-")[1])) for e in events}
    return events


KINDS_AT_THE_EDGE = [
    Kind("checkins", lambda p: p.scans, _checkin,
         lambda db: set(db.scalars(select(Checkin.id_number)))),
    Kind("denied_attempts", lambda p: p.scans, _denied,
         lambda db: set(db.scalars(select(DeniedAttempt.id_number)))),
    Kind("nucleic_acid_tests", lambda p: p.nucleic_acid_tests, _test,
         lambda db: set(db.scalars(select(NucleicAcidTestRecord.id_number)))),
    Kind("itineraries", lambda p: p.itineraries, _stay,
         lambda db: set(db.scalars(select(ItineraryRecord.id_number)))),
    Kind("vaccinations", lambda p: p.vaccinations, _series,
         lambda db: set(db.scalars(select(VaccinationRecord.id_number)))),
    Kind("contact_marks", lambda p: p.contact_marks, _lifted_mark,
         lambda db: set(db.scalars(select(ContactMark.id_number)))),
    Kind("paper_codes", lambda p: p.paper_codes, _revoked_card,
         lambda db: set(db.scalars(select(PaperCode.id_number)))),
    Kind("help_alerts", lambda p: p.scans, _alert,
         lambda db: {str(u) for u in db.scalars(select(HelpAlert.helper_user_id))}),
    Kind("sms_codes", lambda p: p.sms_codes, _sms,
         lambda db: set(db.scalars(select(SmsCode.phone)))),
    Kind("revoked_tokens", lambda p: timedelta(0), _token,
         lambda db: set(db.scalars(select(RevokedToken.jti)))),
    Kind("ingest_rejects", lambda p: p.scans, _reject,
         lambda db: set(db.scalars(select(IngestReject.raw)))),
    Kind("audit_events", lambda p: p.audit, _event, _events_with_their_persons),
]


def test_every_kind_the_purge_reports_has_an_edge_test_or_is_a_trace_count() -> None:
    tested = {k.name for k in KINDS_AT_THE_EDGE}
    traces = {"traces", "trace_evidence", "traces_held", "audit_subjects"}  # test_traces.py
    assert {key for key, _zh, _en in KINDS} == tested | traces


def test_the_default_periods_are_the_documented_ones() -> None:
    p = Periods.defaults()
    assert (p.scans, p.nucleic_acid_tests, p.itineraries, p.contact_marks, p.paper_codes) == (
        timedelta(days=28),) * 5
    assert p.vaccinations == timedelta(days=1095) and p.audit == timedelta(days=365)
    assert p.sms_codes == timedelta(days=1)
    assert Periods.of(Settings(_env_file=None, audit_retention_days=400)).audit == timedelta(  # type: ignore[call-arg]
        days=400)


def test_a_period_below_what_the_door_reads_is_refused() -> None:
    with pytest.raises(ValueError, match="nucleic_acid_test_retention_days"):
        Settings(_env_file=None, nucleic_acid_test_retention_days=7)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="audit_retention_days"):
        Settings(_env_file=None, audit_retention_days=30)  # type: ignore[call-arg]


@pytest.mark.parametrize("kind", KINDS_AT_THE_EDGE, ids=lambda k: k.name)
def test_one_second_inside_stays_and_one_second_outside_goes(
        db: Session, today: FixedClock, kind: Kind) -> None:
    periods = Periods.defaults()
    now = today.now()
    cutoff = now - kind.period(periods)
    inside = kind.make(db, 901, cutoff + SECOND)
    outside = kind.make(db, 902, cutoff - SECOND)
    db.flush()
    before = kind.kept(db)
    assert {inside, outside} <= before

    assert purge(db, Actor.cli(), now, periods, dry_run=True).counts[kind.name] >= 1
    assert kind.kept(db) == before  # a dry run only counts
    counts = purge(db, Actor.cli(), now, periods).counts

    kept = kind.kept(db)
    assert inside in kept and outside not in kept
    assert counts[kind.name] >= 1
    if kind.name == "vaccinations":
        assert len(db.scalars(select(VaccinationRecord.dose).where(
            VaccinationRecord.id_number == inside)).all()) == 2  # the old first dose too
    if kind.name == "paper_codes":
        # The revoked card's row stays without the person: its number is never reused.
        tomb = db.scalars(select(PaperCode.id_number).where(PaperCode.revoked_at == cutoff - SECOND)).one()
        assert tomb.startswith("~") and factories.id_number(902) not in tomb
    if kind.name == "audit_events":
        assert counts["audit_subjects"] >= 1


def test_a_service_desk_binding_stays_the_proof_of_its_binding(db: Session, today: FixedClock
                                                                ) -> None:
    now = today.now()
    db.add(AuditEvent(at=now - timedelta(days=4000), actor="user:3", actor_role="desk",
                      action="identity.desk_bound", subject_type="person",
                      subject_id=factories.id_number(904), details='{"user": 7}'))
    db.flush()
    purge(db, Actor.cli(), now, Periods.defaults())
    assert db.scalars(select(AuditEvent.subject_id).where(
        AuditEvent.action == "identity.desk_bound")).all() == [factories.id_number(904)]


def test_what_is_still_in_force_stays_however_old(db: Session, today: FixedClock) -> None:
    now = today.now()
    long_ago = now - timedelta(days=4000)
    person = factories.id_number(903)
    f.health_code(db, person, "green", long_ago)  # the current code: replaced, never purged
    db.add(ItineraryRecord(id_number=person, city="杭州", arrived_at=long_ago, left_at=None,
                           received_at=long_ago, **PROV))
    db.add(ContactMark(id_number=person, kind="general", since=long_ago, trace_id=None))
    db.add(PaperCode(id_number=person, issue=3, revoked_at=None, issued_at=long_ago))
    db.flush()

    purge(db, Actor.cli(), now, Periods.defaults())

    assert db.get(HealthCodeRecord, person) is not None
    assert db.scalars(select(ItineraryRecord.id_number)).all() == [person]
    assert db.scalars(select(ContactMark.id_number)).all() == [person]
    assert db.scalars(select(PaperCode.id_number)).all() == [person]
