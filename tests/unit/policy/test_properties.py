"""Properties that hold for any facts, checked on generated people and venues."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from venuecode.policy import (
    HealthCode,
    ItineraryStop,
    NucleicAcidTest,
    PersonFacts,
    RiskArea,
    TracingMark,
    Vaccination,
    VenueRequirements,
    evaluate,
    panels_to_dict,
)
from venuecode.policy.facts import RiskLevel

from .factories import NOW

# No example database: these tests must not write files into the checkout.
quick = settings(max_examples=25, database=None, deadline=None)

CITIES = ("杭州市", "上海市", "上海市浦东新区", "苏州市")
LEVELS: tuple[RiskLevel, ...] = ("high", "medium", "low")


def instants(lo_hours: float, hi_hours: float) -> st.SearchStrategy[datetime]:
    """Instants between lo and hi hours from NOW, on whole minutes to hit edges often."""
    return st.integers(int(lo_hours * 60), int(hi_hours * 60)).map(
        lambda m: NOW + timedelta(minutes=m)
    )


health_codes = st.none() | st.builds(
    HealthCode,
    st.sampled_from(["green", "yellow", "red"]),
    instants(-720, 0),
    st.none() | st.just("弹窗"),
)
tests = st.builds(
    NucleicAcidTest, instants(-200, 3), st.sampled_from(["negative", "positive", "pending"])
)
vaccinations = st.builds(Vaccination, st.integers(1, 4), instants(-9000, 24))


@st.composite
def stops(draw: st.DrawFn) -> ItineraryStop:
    arrived = draw(instants(-24 * 20, 2))
    stay_hours = draw(st.none() | st.integers(0, 24 * 10))
    left = None if stay_hours is None else arrived + timedelta(hours=stay_hours)
    return ItineraryStop(draw(st.sampled_from(CITIES)), arrived, left)


@st.composite
def risk_areas(draw: st.DrawFn) -> RiskArea:
    since = draw(instants(-24 * 30, 2))
    length = draw(st.none() | st.integers(0, 24 * 15))
    until = None if length is None else since + timedelta(hours=length)
    level: RiskLevel = draw(st.sampled_from(LEVELS))
    return RiskArea(draw(st.sampled_from(CITIES)), level, since, until)


marks = st.builds(
    TracingMark,
    st.sampled_from(["case", "close", "secondary", "tertiary", "general"]),
    instants(-240, 0),
    st.none() | st.just("请居家"),
)

people = st.builds(
    PersonFacts,
    health_codes,
    st.lists(tests, max_size=4),
    st.lists(vaccinations, max_size=4),
    st.lists(stops(), max_size=4),
    st.lists(marks, max_size=2),
)
requirements = st.builds(
    VenueRequirements,
    st.sampled_from([None, 24, 48, 72]),
    st.booleans(),
    st.integers(1, 3),
    st.integers(1, 14),
    st.integers(1, 21),
)
area_lists = st.lists(risk_areas(), max_size=4)


@quick
@given(people, requirements, area_lists)
def test_verdict_is_pass_exactly_when_no_reason_denies(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    decision = evaluate(facts, req, areas, NOW)
    assert (decision.verdict == "pass") == (not any(r.denies for r in decision.reasons))
    json.dumps(decision.to_dict("en"))
    json.dumps(panels_to_dict(decision.panels))


@quick
@given(people, requirements, area_lists)
def test_a_red_code_always_denies(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    red = replace(facts, health_code=HealthCode("red", NOW - timedelta(hours=1)))
    decision = evaluate(red, req, areas, NOW)
    assert decision.verdict == "deny"
    assert "health_code_red" in [r.code for r in decision.reasons]


@quick
@given(people, requirements, area_lists, marks)
def test_any_tracing_mark_always_denies(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea], extra: TracingMark
) -> None:
    marked = replace(facts, marks=(*facts.marks, extra))
    assert evaluate(marked, req, areas, NOW).verdict == "deny"


@quick
@given(people, requirements, area_lists)
def test_the_order_of_the_records_does_not_matter(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    reversed_facts = replace(
        facts,
        tests=facts.tests[::-1],
        vaccinations=facts.vaccinations[::-1],
        itinerary=facts.itinerary[::-1],
        marks=facts.marks[::-1],
    )
    one = evaluate(facts, req, areas, NOW).to_dict("zh")
    other = evaluate(reversed_facts, req, areas[::-1], NOW).to_dict("zh")
    assert one == other


@quick
@given(people, requirements, area_lists)
def test_a_venue_asking_less_never_turns_a_pass_into_a_deny(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    looser = replace(req, test_window_hours=None, require_full_vaccination=False)
    if evaluate(facts, req, areas, NOW).verdict == "pass":
        assert evaluate(facts, looser, areas, NOW).verdict == "pass"


@quick
@given(people, requirements, area_lists)
def test_a_negative_test_taken_now_clears_every_test_reason(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    # A positive sampled at the very same instant wins the tie by design (safety first,
    # policy.rules.counted_tests), so "taken now" means after every other sampling.
    assume(not any(t.sampled_at == NOW and t.result == "positive" for t in facts.tests))
    tested = replace(facts, tests=(*facts.tests, NucleicAcidTest(NOW, "negative")))
    decision = evaluate(tested, req, areas, NOW)
    assert not [r for r in decision.reasons if r.denies and r.panel == "nucleic_acid"]


def test_a_positive_and_a_negative_sampled_at_the_same_instant_deny() -> None:
    """The tie the property above leaves out: the positive wins, whatever the order."""
    for tests in ((NucleicAcidTest(NOW, "positive"), NucleicAcidTest(NOW, "negative")),
                  (NucleicAcidTest(NOW, "negative"), NucleicAcidTest(NOW, "positive"))):
        facts = PersonFacts(health_code=None, tests=tests, vaccinations=(), itinerary=(), marks=())
        reasons = evaluate(facts, VenueRequirements(), [], NOW).reasons
        assert "test_positive" in [r.code for r in reasons if r.denies]


@quick
@given(people, requirements, area_lists)
def test_reasons_are_unique_ordered_by_importance_and_agree_with_the_panels(
    facts: PersonFacts, req: VenueRequirements, areas: list[RiskArea]
) -> None:
    decision = evaluate(facts, req, areas, NOW)
    keys = [(not r.denies, r.rank) for r in decision.reasons]
    assert keys == sorted(keys)
    assert len({r.code for r in decision.reasons}) == len(decision.reasons)
    denied_panels = {r.panel for r in decision.reasons if r.denies}
    panels = decision.panels
    assert panels.nucleic_acid.valid_for_venue == ("nucleic_acid" not in denied_panels)
    assert panels.itinerary.any_risk == ("itinerary" in denied_panels)
    vaccination_ok = panels.vaccination.full or not panels.vaccination.required
    assert vaccination_ok == ("vaccination" not in denied_panels)
