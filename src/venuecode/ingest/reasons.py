"""Why a record was rejected: a stable code plus a message in English and Chinese.

Reasons are data, not exceptions: a record collects every problem it has, so a sender
fixes a row once instead of once per column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    field: str  # the column the reason is about ("" for the whole record)
    code: str  # stable, for programs: "required", "id_number_check", ...
    en: str
    zh: str

    def text(self) -> str:
        prefix = f"{self.field}: " if self.field else ""
        return f"{prefix}{self.en} / {self.zh}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "en": self.en, "zh": self.zh}


def required(field: str) -> Reason:
    return Reason(field, "required", f"{field} is required and is empty or missing",
                  f"{field} 为必填项，不能为空")


def too_long(field: str, limit: int) -> Reason:
    return Reason(field, "too_long", f"{field} is longer than {limit} characters",
                  f"{field} 超过 {limit} 个字符")


def not_one_of(field: str, value: str, choices: tuple[str, ...]) -> Reason:
    allowed = ", ".join(choices)
    return Reason(field, "not_allowed", f"{field} {value!r} is not one of: {allowed}",
                  f"{field} 的值 {value!r} 无效，应为：{allowed}")


def bad_time(field: str, detail: str) -> Reason:
    return Reason(field, "bad_time", f"{field}: {detail}",
                  f"{field} 不是含年月日的 ISO 8601 时间（例如 2022-04-19T08:30:00+08:00）")


def bad_integer(field: str, value: str, low: int, high: int) -> Reason:
    return Reason(field, "bad_integer",
                  f"{field} {value!r} is not a whole number from {low} to {high}",
                  f"{field} 的值 {value!r} 应为 {low} 到 {high} 之间的整数")


def not_text(field: str) -> Reason:
    return Reason(field, "not_text", f"{field} must be a text or number value, not a list "
                  "or object", f"{field} 必须是文本或数字")


def not_an_object() -> Reason:
    return Reason("", "not_an_object", "the record is not a JSON object with column names "
                  "as keys", "该记录不是以列名为键的 JSON 对象")


def bad_json(detail: str) -> Reason:
    return Reason("", "bad_json", f"the line is not valid JSON: {detail}",
                  "该行不是有效的 JSON")


def unknown_venue(value: str) -> Reason:
    return Reason("venue_id", "unknown_venue",
                  f"no venue with venue_id {value!r}; import the venue first",
                  f"不存在场所编号为 {value!r} 的场所，请先导入该场所")


def unknown_category(value: str) -> Reason:
    return Reason("category", "unknown_category",
                  f"{value!r} is not a category slug of venue-categories.csv",
                  f"{value!r} 不是 venue-categories.csv 中的场所类别")


def venue_id_unsafe(en: str, zh: str) -> Reason:
    return Reason("venue_id", "venue_id_unsafe", en, zh)


def checkout_not_after_scan() -> Reason:
    return Reason("checked_out_at", "checkout_not_after_scan",
                  "checked_out_at must be later than scanned_at",
                  "离开时间必须晚于扫码时间")


def in_future(field: str) -> Reason:
    return Reason(field, "in_future", f"{field} lies in the future",
                  f"{field} 晚于当前时间")


def nul_character(field: str) -> Reason:
    return Reason(field, "nul_character", f"{field} contains a NUL character (\\u0000)",
                  f"{field} 含有空字符（NUL），请删除")
