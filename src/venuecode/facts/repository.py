"""Read a person's health facts as the policy's plain values (few, indexed point queries)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from venuecode.facts.models import (
    CaseRecord,
    ContactMark,
    HealthCodeRecord,
    ItineraryRecord,
    NucleicAcidTestRecord,
    RiskAreaRecord,
    VaccinationRecord,
)
from venuecode.policy.facts import (
    CodeColor,
    HealthCode,
    ItineraryStop,
    MarkKind,
    NucleicAcidTest,
    PersonFacts,
    RiskArea,
    RiskLevel,
    TestResult,
    TracingMark,
    Vaccination,
)

# Tests older than this can no longer matter for any venue window or the panel.
TEST_HISTORY = timedelta(days=14)
ITINERARY_HISTORY = timedelta(days=14)


def person_facts(session: Session, id_number: str, now: datetime) -> PersonFacts:
    code = session.get(HealthCodeRecord, id_number)
    tests = session.execute(
        select(NucleicAcidTestRecord.sampled_at, NucleicAcidTestRecord.result,
               NucleicAcidTestRecord.reported_at, NucleicAcidTestRecord.institution)
        .where(NucleicAcidTestRecord.id_number == id_number,
               NucleicAcidTestRecord.sampled_at >= now - TEST_HISTORY)
    ).all()
    doses = session.execute(
        select(VaccinationRecord.dose, VaccinationRecord.vaccinated_at, VaccinationRecord.product)
        .where(VaccinationRecord.id_number == id_number)
    ).all()
    stops = session.execute(
        select(ItineraryRecord.city, ItineraryRecord.arrived_at, ItineraryRecord.left_at)
        .where(ItineraryRecord.id_number == id_number,
               or_(ItineraryRecord.left_at.is_(None),
                   ItineraryRecord.left_at >= now - ITINERARY_HISTORY))
    ).all()
    marks: list[TracingMark] = []
    case = session.get(CaseRecord, id_number)
    if case is not None:
        marks.append(TracingMark(kind="case", since=case.reference_time))
    for kind, since, instruction in session.execute(
        select(ContactMark.kind, ContactMark.since, ContactMark.instruction)
        .where(ContactMark.id_number == id_number, ContactMark.cleared_at.is_(None))
    ):
        marks.append(TracingMark(kind=cast(MarkKind, kind), since=since, instruction=instruction))
    return PersonFacts(
        health_code=HealthCode(cast(CodeColor, code.color), code.since, code.reason)
        if code is not None else None,
        tests=tuple(NucleicAcidTest(s, cast(TestResult, r), rep, inst)
                    for s, r, rep, inst in tests),
        vaccinations=tuple(Vaccination(d, at, p) for d, at, p in doses),
        itinerary=tuple(ItineraryStop(c, a, left) for c, a, left in stops),
        marks=tuple(marks),
    )


def active_risk_areas(session: Session, now: datetime, lookback: timedelta) -> list[RiskArea]:
    rows = session.execute(
        select(RiskAreaRecord.area, RiskAreaRecord.level, RiskAreaRecord.since,
               RiskAreaRecord.until)
        .where(or_(RiskAreaRecord.until.is_(None), RiskAreaRecord.until >= now - lookback))
    ).all()
    return [RiskArea(area, cast(RiskLevel, level), since, until)
            for area, level, since, until in rows]

