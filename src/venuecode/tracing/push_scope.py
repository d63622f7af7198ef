"""What a health-code push covers: the tracer's choice of tiers, exclusions and additions.

Pure: values in, values out. A trace's result lists every contact it found; a push takes
only the tiers the tracer ticks, minus the persons they exclude, plus persons they add
with a tier (found by phone, say). A deep trace can flag most of a city (depth 2 on the
5,000-person demo city flagged 96%), so nothing is pushed by default: the tracer chooses,
sees the counts per tier and colour, and the supervisor confirms the same counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from venuecode.errors import InvalidInput
from venuecode.people.idnumber import IdNumberError, parse_id_number
from venuecode.tracing.types import CLOSE, GENERAL, SECONDARY, TERTIARY, tier_rank

TIER_ZH = {CLOSE: "密接", SECONDARY: "次密接", TERTIARY: "三级密接", GENERAL: "一般接触"}
MAX_LISTED = 5_000  # persons excluded or added in one request: a form, not an import
SAMPLE = 20  # persons the approver sees as a sample


def tier_label(tier: str) -> str:
    if tier in TIER_ZH:
        return TIER_ZH[tier]
    return f"{tier[4:]}级密接" if tier.startswith("tier") else tier


def color_of(tier: str) -> str:
    """General contacts get a yellow code, every chain tier a red one."""
    return "yellow" if tier == GENERAL else "red"


@dataclass(frozen=True)
class PushScope:
    """The tiers chosen, the persons taken out, and the persons added with their tier."""

    tiers: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    add: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"tiers": list(self.tiers), "exclude": list(self.exclude),
                "add": [list(pair) for pair in self.add]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PushScope:
        return cls(tuple(data.get("tiers", ())), tuple(data.get("exclude", ())),
                   tuple((str(n), str(t)) for n, t in data.get("add", ())))


@dataclass(frozen=True)
class Selected:
    """One person a push will change."""

    id_number: str
    tier: str
    added: bool = False  # added by the tracer, not found by the trace

    @property
    def color(self) -> str:
        return color_of(self.tier)


def tiers_of(result: Mapping[str, Any]) -> dict[str, int]:
    """The trace's tiers with their counts, deepest chain tiers after the close ones."""
    counts = Counter(str(c["tier"]) for c in result.get("contacts", []))
    return dict(sorted(counts.items(), key=lambda kv: tier_rank(kv[0])))


def whole_trace(result: Mapping[str, Any]) -> PushScope:
    """Every tier of the trace, nobody excluded: what a push covered before scopes."""
    return PushScope(tuple(tiers_of(result)))


def parse_scope(result: Mapping[str, Any], tiers: Iterable[str], exclude_text: str = "",
                add_text: str = "") -> PushScope:
    """Check what the tracer typed against the trace; every error names the value."""
    known = tiers_of(result)
    chosen: list[str] = []
    for tier in tiers:
        tier = tier.strip()
        if tier not in known:
            raise InvalidInput("push_tier_unknown",
                               f"本次流调结果中没有“{tier}”这一类人员，请从列出的类别中选择。",
                               f"This trace has no contacts of tier {tier!r}; choose from "
                               "the tiers listed.", tier=tier)
        if tier not in chosen:
            chosen.append(tier)
    in_trace = {str(c["id_number"]) for c in result.get("contacts", [])}
    exclude = _id_numbers(exclude_text, "exclude")
    for number in exclude:
        if number not in in_trace:
            raise InvalidInput("push_exclude_unknown",
                               f"排除名单中的 {number} 不在本次流调结果中，请核对。",
                               f"{number} in the exclusion list is not a contact of this trace.",
                               id_number=number)
    add = _additions(add_text, in_trace)
    return PushScope(tuple(sorted(chosen, key=tier_rank)), tuple(exclude), tuple(add))


def select_persons(result: Mapping[str, Any], scope: PushScope) -> list[Selected]:
    """The persons the push changes, in the trace's order, then the added ones."""
    tiers, excluded = set(scope.tiers), set(scope.exclude)
    chosen = [Selected(str(c["id_number"]), str(c["tier"])) for c in result.get("contacts", [])
              if c["tier"] in tiers and c["id_number"] not in excluded]
    return chosen + [Selected(number, tier, added=True) for number, tier in scope.add]


def counts_of(selected: Sequence[Selected]) -> dict[str, dict[str, int]]:
    """{tier: {colour: persons}}: what the request and the approval both show."""
    counts: dict[str, Counter[str]] = {}
    for person in selected:
        counts.setdefault(person.tier, Counter())[person.color] += 1
    return {tier: dict(counts[tier]) for tier in sorted(counts, key=tier_rank)}


def totals_of(counts: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for by_color in counts.values():
        total.update(by_color)
    return {"red": total["red"], "yellow": total["yellow"],
            "persons": total["red"] + total["yellow"]}


def _lines(text: str, field: str) -> list[str]:
    lines = [line.strip() for line in text.replace("，", ",").replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > MAX_LISTED:
        raise InvalidInput("push_list_too_long",
                           f"{_FIELD_ZH[field]}最多 {MAX_LISTED} 行，请分批处理。",
                           f"The {field} list takes at most {MAX_LISTED} lines.",
                           field=field, max=MAX_LISTED)
    return lines


_FIELD_ZH = {"exclude": "排除名单", "add": "追加名单"}


def _valid_number(raw: str, field: str, line: int) -> str:
    try:
        return parse_id_number(raw).value
    except IdNumberError:
        raise InvalidInput("push_id_number_invalid",
                           f"{_FIELD_ZH[field]}第 {line} 行的身份证号“{raw[:40]}”无效，请核对。",
                           f"Line {line} of the {field} list: {raw[:40]!r} is not a valid "
                           "ID number.", field=field, line=line) from None


def _id_numbers(text: str, field: str) -> list[str]:
    numbers: list[str] = []
    for line, raw in enumerate(_lines(text, field), start=1):
        number = _valid_number(raw, field, line)
        if number not in numbers:
            numbers.append(number)
    return numbers


_TIER_WORDS = {**{v: k for k, v in TIER_ZH.items()}, **{k: k for k in TIER_ZH}}


def _additions(text: str, in_trace: set[str]) -> list[tuple[str, str]]:
    """Lines of `ID number,tier` (tier as 密接/次密接/一般接触 or close/secondary/general)."""
    added: dict[str, str] = {}
    for line, raw in enumerate(_lines(text, "add"), start=1):
        number_text, _, tier_text = raw.partition(",")
        number = _valid_number(number_text.strip(), "add", line)
        tier = _TIER_WORDS.get(tier_text.strip() or "密接")
        if tier is None:
            raise InvalidInput("push_add_tier_invalid",
                               f"追加名单第 {line} 行的类别“{tier_text.strip()[:20]}”无效，"
                               "请写 密接、次密接、三级密接 或 一般接触。",
                               f"Line {line} of the add list: tier {tier_text.strip()[:20]!r} "
                               "is not close, secondary, tertiary or general.", line=line)
        if number in in_trace:
            raise InvalidInput("push_add_in_trace",
                               f"追加名单第 {line} 行的 {number} 已在本次流调结果中，"
                               "请勾选其类别，不必追加。",
                               f"Line {line} of the add list: {number} is already a contact "
                               "of this trace; tick its tier instead.", line=line)
        added[number] = tier
    return list(added.items())
