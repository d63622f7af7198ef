from __future__ import annotations

import pytest

from .factories import decide, denying_codes, healthy, mark


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("case", "tracing_case"),
        ("close", "tracing_close"),
        ("secondary", "tracing_secondary"),
        ("tertiary", "tracing_tertiary"),
        ("general", "tracing_general"),
    ],
)
def test_any_tracing_mark_is_denied(kind: str, code: str) -> None:
    decision = decide(healthy(marks=(mark(kind),)))
    assert decision.verdict == "deny"
    assert denying_codes(decision) == [code]


def test_close_contact_is_told_to_accept_quarantine_and_wait_for_the_community() -> None:
    (only,) = decide(healthy(marks=(mark("close"),))).reasons
    assert "集中隔离" in only.message("zh")
    assert "等候社区联系" in only.message("zh")


def test_secondary_contact_is_told_to_accept_quarantine_and_wait_for_the_community() -> None:
    (only,) = decide(healthy(marks=(mark("secondary"),))).reasons
    assert "居家隔离" in only.message("zh")
    assert "等候社区联系" in only.message("zh")


def test_general_contact_is_told_to_get_tested_soon() -> None:
    (only,) = decide(healthy(marks=(mark("general"),))).reasons
    assert "请尽快进行核酸检测" in only.message("zh")


def test_case_is_told_to_follow_medical_instructions() -> None:
    (only,) = decide(healthy(marks=(mark("case"),))).reasons
    assert "医生" in only.message("zh")
    assert "doctors" in only.message("en")


def test_the_tracing_instruction_is_passed_on_to_the_person() -> None:
    (only,) = decide(healthy(marks=(mark("close", "请到XX酒店报到"),))).reasons
    assert "请到XX酒店报到" in only.message("zh")


def test_two_marks_of_one_kind_give_one_reason() -> None:
    decision = decide(healthy(marks=(mark("general"), mark("general"))))
    assert denying_codes(decision) == ["tracing_general"]


def test_several_kinds_of_mark_are_all_reported_case_first() -> None:
    decision = decide(healthy(marks=(mark("general"), mark("close"), mark("case"))))
    assert denying_codes(decision) == ["tracing_case", "tracing_close", "tracing_general"]
