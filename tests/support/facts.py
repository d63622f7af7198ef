"""Put health facts straight into the fact tables (the importer has its own tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from venuecode.facts.models import (
    CaseRecord,
    HealthCodeRecord,
    NucleicAcidTestRecord,
    VaccinationRecord,
)

PROV = {"source": "test", "batch_id": None}


def health_code(db: Session, id_number: str, color: str, at: datetime, reason: str | None = None
                ) -> None:
    record = db.get(HealthCodeRecord, id_number)
    if record is None:
        db.add(HealthCodeRecord(id_number=id_number, color=color, since=at, reason=reason,
                                received_at=at, **PROV))
    else:
        record.color, record.since, record.reason = color, at, reason
    db.flush()


def negative_test(db: Session, id_number: str, sampled: datetime) -> None:
    db.add(NucleicAcidTestRecord(id_number=id_number, sampled_at=sampled, result="negative",
                                 reported_at=sampled + timedelta(hours=6), institution="test lab",
                                 received_at=sampled, **PROV))
    db.flush()


def vaccinated(db: Session, id_number: str, doses: int, last: datetime) -> None:
    for dose in range(1, doses + 1):
        db.add(VaccinationRecord(id_number=id_number, dose=dose,
                                 vaccinated_at=last - timedelta(days=60 * (doses - dose)),
                                 product="test", received_at=last, **PROV))
    db.flush()


def case(db: Session, id_number: str, reference: datetime) -> None:
    db.add(CaseRecord(id_number=id_number, reference_time=reference, isolated_at=None,
                      kind="confirmed", received_at=reference, **PROV))
    db.flush()


def healthy(db: Session, id_number: str, now: datetime) -> None:
    """Green code, a negative test 20 h ago, three doses: passes everywhere."""
    health_code(db, id_number, "green", now - timedelta(days=30))
    negative_test(db, id_number, now - timedelta(hours=20))
    vaccinated(db, id_number, 3, now - timedelta(days=100))
