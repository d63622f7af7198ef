"""The reason catalogue: every reason the door can give, with a stable code.

Texts are plain words an elderly person can act on: what happened and what to do next.
`rank` orders reasons by importance (lower first): danger to others first (infection,
contacts, risk areas), then what the person can fix themselves (tests, vaccination).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["deny", "info"]
Panel = Literal["health_code", "nucleic_acid", "vaccination", "itinerary", "tracing"]
DetailValue = str | int | float


@dataclass(frozen=True)
class ReasonSpec:
    code: str
    severity: Severity
    panel: Panel
    rank: int
    zh: str
    en: str
    # How a free-text note from the source department (health-code reason, tracing
    # instruction) is appended; the note itself is shown as given.
    note_zh: str = "（原因：{note}）"
    note_en: str = " (Reason: {note})"


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    panel: Panel
    rank: int
    text_zh: str
    text_en: str
    details: Mapping[str, DetailValue] = field(default_factory=dict, hash=False)

    @property
    def denies(self) -> bool:
        return self.severity == "deny"

    def message(self, locale: str) -> str:
        return self.text_zh if locale.startswith("zh") else self.text_en

    def to_dict(self, locale: str) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "panel": self.panel,
            "message": self.message(locale),
            "details": dict(self.details),
        }


_INSTRUCTION_ZH = "（社区提示：{note}）"
_INSTRUCTION_EN = " (Instruction: {note})"

_SPECS = (
    ReasonSpec(
        "tracing_case", "deny", "tracing", 10,
        "您被确定为新冠确诊病例或无症状感染者，不能进入。请听从医生的安排，接受隔离治疗。",
        "You have been found to have COVID-19 (with or without symptoms), so you cannot "
        "enter. Please follow the doctors' instructions for isolation and treatment.",
        _INSTRUCTION_ZH, _INSTRUCTION_EN,
    ),
    ReasonSpec(
        "test_positive", "deny", "nucleic_acid", 20,
        "您最近一次核酸检测结果是阳性，不能进入。请留在原地，戴好口罩，"
        "联系社区或拨打120，等候安排。",
        "Your latest nucleic-acid test was positive, so you cannot enter. Please stay "
        "where you are, wear a mask, and call your community or 120 for help.",
    ),
    ReasonSpec(
        "health_code_red", "deny", "health_code", 30,
        "您的健康码是红码，不能进入。请马上联系所在社区，听从安排。",
        "Your health code is red, so you cannot enter. Please contact your community "
        "office now and follow their instructions.",
    ),
    ReasonSpec(
        "tracing_close", "deny", "tracing", 40,
        "您被判定为密切接触者，不能进入。请配合集中隔离，保持电话畅通，等候社区联系。",
        "You were in close contact with an infected person, so you cannot enter. Please "
        "accept central quarantine, keep your phone on, and wait for your community's call.",
        _INSTRUCTION_ZH, _INSTRUCTION_EN,
    ),
    ReasonSpec(
        "tracing_secondary", "deny", "tracing", 50,
        "您被判定为密接的密接，不能进入。请配合集中隔离或居家隔离，保持电话畅通，等候社区联系。",
        "You were in contact with a close contact, so you cannot enter. Please accept "
        "quarantine (central or at home), keep your phone on, and wait for your "
        "community's call.",
        _INSTRUCTION_ZH, _INSTRUCTION_EN,
    ),
    ReasonSpec(
        "risk_area_high", "deny", "itinerary", 60,
        "您近{days}天到过高风险地区（{cities}），不能进入。请马上向所在社区报备，听从安排。",
        "In the last {days} days you were in a high-risk area ({cities}), so you cannot "
        "enter. Please report to your community office now and follow their instructions.",
    ),
    ReasonSpec(
        "health_code_yellow", "deny", "health_code", 70,
        "您的健康码是黄码，暂时不能进入。请向所在社区报备，按要求做核酸检测。",
        "Your health code is yellow, so you cannot enter for now. Please report to your "
        "community office and get tested as they ask.",
    ),
    ReasonSpec(
        "tracing_tertiary", "deny", "tracing", 80,
        "您与密切接触者的接触者有过接触，暂时不能进入。请在家做好健康监测，"
        "尽快做核酸检测，等候社区联系。",
        "You were in contact with someone linked to a close contact, so you cannot enter "
        "for now. Please watch your health at home, get tested soon, and wait for your "
        "community's call.",
        _INSTRUCTION_ZH, _INSTRUCTION_EN,
    ),
    ReasonSpec(
        "risk_area_medium", "deny", "itinerary", 90,
        "您近{days}天到过中风险地区（{cities}），暂时不能进入。请向所在社区报备，听从安排。",
        "In the last {days} days you were in a medium-risk area ({cities}), so you cannot "
        "enter for now. Please report to your community office and follow their instructions.",
    ),
    ReasonSpec(
        "tracing_general", "deny", "tracing", 100,
        "您被判定为一般接触者，暂时不能进入。请尽快进行核酸检测。",
        "You may have been near an infected person, so you cannot enter for now. Please "
        "get a nucleic-acid test as soon as possible.",
        _INSTRUCTION_ZH, _INSTRUCTION_EN,
    ),
    ReasonSpec(
        "no_health_code", "deny", "health_code", 110,
        "没有查到您的健康码，暂时不能进入。请先申领健康码，或请工作人员用“帮扫”代为查询。",
        "We could not find your health code, so you cannot enter for now. Please apply "
        "for a health code, or ask the staff to look it up for you with Help-Scan.",
    ),
    ReasonSpec(
        "test_pending", "deny", "nucleic_acid", 120,
        "您的核酸检测结果还没有出来，本场所需要{window}小时内的阴性结果。请等结果出来后再来。",
        "Your test result is not out yet. This place needs a negative test taken in the "
        "last {window} hours. Please come back when the result is ready.",
    ),
    ReasonSpec(
        "test_expired", "deny", "nucleic_acid", 121,
        "您最近一次阴性核酸是{hours}小时前采样的，本场所需要{window}小时内的阴性结果。"
        "请先去做核酸检测。",
        "Your last negative test was taken {hours} hours ago. This place needs a negative "
        "test taken in the last {window} hours. Please get tested first.",
    ),
    ReasonSpec(
        "test_missing", "deny", "nucleic_acid", 122,
        "没有查到您的阴性核酸结果，本场所需要{window}小时内的阴性结果。请先去做核酸检测。",
        "We found no negative test for you. This place needs a negative test taken in "
        "the last {window} hours. Please get tested first.",
    ),
    ReasonSpec(
        "vaccination_incomplete", "deny", "vaccination", 130,
        "本场所要求接种满{need}剂新冠疫苗，您目前接种了{have}剂，暂时不能进入。",
        "This place needs {need} doses of COVID-19 vaccine. You have had {have}, so you "
        "cannot enter for now.",
    ),
    ReasonSpec(
        "test_expires_soon", "info", "nucleic_acid", 200,
        "提醒：您的核酸结果在本场所还能用约{left}小时，请及时复检。",
        "Reminder: your test is accepted here for about {left} more hours. Please get "
        "tested again soon.",
    ),
    ReasonSpec(
        "test_sampled_in_future", "info", "nucleic_acid", 210,
        "有一条核酸记录的采样时间晚于现在，可能是时间出错，这条记录暂不计入。",
        "One test record says it was taken later than now, probably a clock error, so it "
        "is not counted for now.",
    ),
)

CATALOGUE: Mapping[str, ReasonSpec] = {spec.code: spec for spec in _SPECS}


def reason(code: str, note: str | None = None, **details: DetailValue) -> Reason:
    """Build the reason `code`, filling its text with `details` and an optional note."""
    spec = CATALOGUE[code]
    zh = spec.zh.format(**details)
    en = spec.en.format(**details)
    if note:
        zh += spec.note_zh.format(note=note)
        en += spec.note_en.format(note=note)
        details = {**details, "note": note}
    return Reason(spec.code, spec.severity, spec.panel, spec.rank, zh, en, details)


def by_importance(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """Denying reasons first, each group most important first; stable for equal ranks."""
    return tuple(sorted(reasons, key=lambda r: (not r.denies, r.rank)))
