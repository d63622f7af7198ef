"""The push scope: only the tiers ticked, minus exclusions, plus additions; errors name the value."""

from __future__ import annotations

import pytest

from tests.support.factories import id_number
from venuecode.errors import InvalidInput
from venuecode.tracing.push_scope import (
    PushScope,
    counts_of,
    parse_scope,
    select_persons,
    tiers_of,
    totals_of,
)

K, S, G, X = (id_number(n) for n in (802, 804, 803, 805))
RESULT = {"contacts": [{"id_number": K, "tier": "close"}, {"id_number": S, "tier": "secondary"},
                       {"id_number": G, "tier": "general"}]}


def test_nothing_is_chosen_unless_the_tracer_ticks_it() -> None:
    assert select_persons(RESULT, parse_scope(RESULT, [])) == []


def test_the_tiers_ticked_minus_exclusions_plus_additions_with_their_colours() -> None:
    scope = parse_scope(RESULT, ["general", "close", "secondary"], exclude_text=f" {S}\n",
                        add_text=f"{X}，次密接")
    chosen = select_persons(RESULT, scope)
    assert [(p.id_number, p.tier, p.color, p.added) for p in chosen] == [
        (K, "close", "red", False), (G, "general", "yellow", False),
        (X, "secondary", "red", True)]
    assert scope.tiers == ("close", "secondary", "general")  # by rank, whatever the order
    counts = counts_of(chosen)
    assert counts == {"close": {"red": 1}, "secondary": {"red": 1}, "general": {"yellow": 1}}
    assert totals_of(counts) == {"red": 2, "yellow": 1, "persons": 3}
    assert PushScope.from_json(scope.to_json()) == scope


def test_tiers_of_counts_the_trace_in_rank_order() -> None:
    assert list(tiers_of(RESULT).items()) == [("close", 1), ("secondary", 1), ("general", 1)]


@pytest.mark.parametrize(("tiers", "exclude", "add", "code", "named"), [
    (["tier9"], "", "", "push_tier_unknown", "tier9"),
    (["close"], "110101199001011234", "", "push_id_number_invalid", "110101199001011234"),
    (["close"], X, "", "push_exclude_unknown", X),
    (["close"], "", f"{X},朋友", "push_add_tier_invalid", "朋友"),
    (["close"], "", f"{K},密接", "push_add_in_trace", K),
    (["close"], "", "not-a-number", "push_id_number_invalid", "not-a-number"),
])
def test_bad_values_are_refused_in_chinese_naming_the_value(
        tiers: list[str], exclude: str, add: str, code: str, named: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_scope(RESULT, tiers, exclude, add)
    assert refused.value.code == code and named in refused.value.message_zh


def test_an_addition_without_a_tier_is_a_close_contact() -> None:
    [added] = select_persons(RESULT, parse_scope(RESULT, [], add_text=X))
    assert (added.tier, added.color) == ("close", "red")
