from __future__ import annotations

from venuecode.policy import HealthCode

from .factories import codes, days_ago, decide, denying_codes, healthy


def test_green_code_with_everything_else_in_order_passes() -> None:
    decision = decide(healthy())
    assert decision.verdict == "pass"
    assert denying_codes(decision) == []


def test_red_code_is_denied() -> None:
    decision = decide(healthy(health_code=HealthCode("red", days_ago(1))))
    assert decision.verdict == "deny"
    assert denying_codes(decision) == ["health_code_red"]


def test_yellow_code_is_denied_with_report_instruction() -> None:
    decision = decide(healthy(health_code=HealthCode("yellow", days_ago(1))))
    assert decision.verdict == "deny"
    (only,) = decision.reasons
    assert only.code == "health_code_yellow"
    assert "社区报备" in only.message("zh-CN")
    assert "report to your community" in only.message("en")


def test_no_health_code_is_denied_and_points_to_applying_or_help_scan() -> None:
    decision = decide(healthy(health_code=None))
    assert decision.verdict == "deny"
    (only,) = decision.reasons
    assert only.code == "no_health_code"
    assert "申领健康码" in only.message("zh")
    assert "帮扫" in only.message("zh")
    assert "Help-Scan" in only.message("en")


def test_the_health_code_reason_from_the_commission_is_shown_with_the_colour() -> None:
    code = HealthCode("yellow", days_ago(1), reason="入境人员")
    (only,) = decide(healthy(health_code=code)).reasons
    assert "入境人员" in only.message("zh")
    assert "入境人员" in only.message("en")
    assert only.details["note"] == "入境人员"


def test_green_code_gives_no_health_code_reason() -> None:
    assert not [c for c in codes(decide(healthy())) if c.startswith("health_code")]
