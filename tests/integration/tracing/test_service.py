"""The tracing service: cases from the registry, options, stored traces and their audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support import factories
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor
from venuecode.config import Settings
from venuecode.errors import InvalidInput, NotFound
from venuecode.facts.models import CaseRecord
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.tracing.service import TraceRequest, compute_trace, get_trace, list_traces, run_trace
from venuecode.venues.models import Venue

DAY = datetime(2022, 4, 18, tzinfo=UTC)  # 08:00 in Shanghai
AS_OF = DAY + timedelta(days=1)
FORMULA = '=HYPERLINK("http://evil.example","x")'  # a venue id a spreadsheet would run
CASE = factories.id_number(1)
CLOSE = factories.id_number(2)
GENERAL = factories.id_number(3)
SECONDARY = factories.id_number(4)


def seed_city(session: Session) -> dict[str, str]:
    """A case at a restaurant (dwell 90 min) 00:00-01:30 UTC; a close contact for 85 min,
    a general contact for 5; the close contact later meets a secondary contact at an office."""
    venues = {}
    for venue_id, category in ((FORMULA, "restaurant"), ("HZ-OFFICE-1", "office")):
        row = Venue(venue_id=venue_id, name=f"{venue_id} name", category=category, status="approved",
                    code_issue=1, created_at=DAY)
        session.add(row)
        session.flush()
        venues[venue_id] = row.id

    def visit(person: str, venue: str, minute: int, exit_minute: int | None = None) -> Checkin:
        exit_ = None if exit_minute is None else DAY + timedelta(minutes=exit_minute)
        return Checkin(id_number=person, venue_pk=venues[venue], scanned_at=DAY + timedelta(minutes=minute),
                       checked_out_at=exit_)

    session.add_all([
        visit(CASE, FORMULA, 0),
        visit(CLOSE, FORMULA, 5),
        visit(GENERAL, FORMULA, 85),
        visit(CLOSE, "HZ-OFFICE-1", 120),
        visit(SECONDARY, "HZ-OFFICE-1", 130, 200),
    ])
    session.add(CaseRecord(id_number=CASE, reference_time=DAY + timedelta(hours=6), isolated_at=None,
                           kind="confirmed", source="cdc", received_at=DAY))
    session.flush()
    relink_all(session.connection())
    return {"case": CASE, "close": CLOSE, "general": GENERAL, "secondary": SECONDARY}


def test_compute_trace_reads_cases_from_the_registry_with_settings_defaults(db: Session, settings: Settings) -> None:
    seed_city(db)
    result = compute_trace(db, settings, TraceRequest([CASE], as_of=AS_OF))
    tiers = {c.person: (c.tier, c.source, c.exposure_minutes) for c in result.contacts}
    assert tiers == {CLOSE: ("close", CASE, 85.0), GENERAL: ("general", CASE, 5.0),
                     SECONDARY: ("secondary", CLOSE, 70.0)}
    assert result.rules["depth"] == settings.trace_depth == 2
    assert [v.venue for v in result.venues] == [FORMULA]


def test_all_cases_traces_the_whole_registry_and_options_override(db: Session, settings: Settings) -> None:
    seed_city(db)
    result = compute_trace(db, settings, TraceRequest(None, as_of=AS_OF, depth=1, close_minutes=90))
    assert {c.person: c.tier for c in result.contacts} == {CLOSE: "general", GENERAL: "general"}


def test_unknown_case_id_numbers_are_named(db: Session, settings: Settings) -> None:
    seed_city(db)
    stranger = factories.id_number(99)
    with pytest.raises(InvalidInput) as err:
        compute_trace(db, settings, TraceRequest([CASE, stranger], as_of=AS_OF))
    assert err.value.code == "unknown_cases" and stranger in err.value.message_en
    assert err.value.details["unknown"] == [stranger]


def test_an_empty_registry_and_an_empty_list_are_refused(db: Session, settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="no cases"):
        compute_trace(db, settings, TraceRequest(None, as_of=AS_OF))
    with pytest.raises(InvalidInput, match="at least one case"):
        compute_trace(db, settings, TraceRequest([" "], as_of=AS_OF))


@pytest.mark.parametrize("field, value", [("depth", 0), ("depth", 6), ("close_minutes", 0),
                                          ("look_back_days", -1), ("look_back_days", 60)])
def test_out_of_range_options_are_refused(db: Session, settings: Settings, field: str, value: float) -> None:
    seed_city(db)
    with pytest.raises(InvalidInput):
        compute_trace(db, settings, TraceRequest([CASE], as_of=AS_OF, **{field: value}))  # type: ignore[arg-type]


def test_run_trace_stores_the_result_and_audits_who_which_cases_and_why(
    db: Session, settings: Settings, clock: object
) -> None:
    seed_city(db)
    user = factories.user(db)
    row = run_trace(db, settings, Actor(f"user:{user.id}", "tracer"), user.id,
                    TraceRequest([CASE], as_of=AS_OF, reason="cluster 7 follow-up"))
    db.flush()
    stored = get_trace(db, row.id)
    result = stored.result()
    assert stored.contacts == 3 and stored.venues == 1 and stored.created_by == user.id
    assert orjson.loads(stored.cases) == [CASE]
    assert set(result) == {"as_of", "rules", "cases", "contacts", "venues"}
    assert result["as_of"] == "2022-04-19T08:00:00+08:00"  # ISO local time
    assert [c["id_number"] for c in result["contacts"]] == [CLOSE, SECONDARY, GENERAL]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "trace.run")).one()
    assert event.actor == f"user:{user.id}" and event.reason == "cluster 7 follow-up"
    assert event.subject_id == str(row.id) and CASE in event.details
    assert next(t.id for t in list_traces(db)) == row.id


def test_a_missing_trace_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        get_trace(db, 987654)


def test_stay_overrides_per_trace_over_settings_and_a_venues_own_stay_wins(db: Session, settings: Settings) -> None:
    seed_city(db)
    short = {CLOSE: ("close", 25.0), SECONDARY: ("secondary", 70.0)}  # the case leaves at 30 min
    full = {CLOSE: ("close", 85.0), GENERAL: ("general", 5.0), SECONDARY: ("secondary", 70.0)}

    def tiers(s: Settings, dwell: dict[str, float] | None) -> dict[str, tuple[str, float]]:
        result = compute_trace(db, s, TraceRequest([CASE], as_of=AS_OF, dwell_minutes=dwell))
        return {c.person: (c.tier, c.exposure_minutes) for c in result.contacts}

    assert tiers(settings, {"restaurant": 30}) == short
    configured = settings.model_copy(update={"trace_dwell_minutes": {"restaurant": 30}})
    assert tiers(configured, None) == short
    assert tiers(configured, {"restaurant": 90}) == full  # the trace overrides the settings
    restaurant = db.scalars(select(Venue).where(Venue.venue_id == FORMULA)).one()
    restaurant.dwell_minutes = 90
    db.flush()
    assert tiers(settings, {"restaurant": 30}) == full  # the venue's own stay wins


@pytest.mark.parametrize("dwell, fragment", [({"spaceship": 10}, "unknown venue category 'spaceship'"),
                                             ({"metro": 0}, "must be > 0"), ({"metro": 20000}, "at most 10080")])
def test_bad_stay_overrides_are_refused_with_what_to_fix(db: Session, settings: Settings,
                                                         dwell: dict[str, float], fragment: str) -> None:
    seed_city(db)
    with pytest.raises(InvalidInput) as err:
        compute_trace(db, settings, TraceRequest([CASE], as_of=AS_OF, dwell_minutes=dwell))
    assert err.value.code == "invalid_dwell" and fragment in err.value.message_en


def test_a_huge_stay_table_gets_a_short_answer(db: Session, settings: Settings) -> None:
    seed_city(db)
    with pytest.raises(InvalidInput) as err:
        compute_trace(db, settings, TraceRequest([CASE], as_of=AS_OF,
                                                 dwell_minutes={f"junk{i}": 1 for i in range(10_000)}))
    assert err.value.message_en.endswith("and 9995 more") and len(err.value.message_en) < 4000


def test_settings_refuse_an_unknown_category_in_the_stay_table() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="unknown venue category 'nope'"):
        Settings(_env_file=None, trace_dwell_minutes={"nope": 5})  # type: ignore[call-arg]
