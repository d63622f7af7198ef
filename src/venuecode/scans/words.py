"""Staff words for a venue's entries: how each person came in, the result, the health-code
colour and short reason labels, in Chinese and English.

One table for the entries page (which hands the locale's words to its script) and the
CSV/XLSX export, so a code such as `help` or `health_code_red` never reaches a person.
"""

from __future__ import annotations

from collections.abc import Mapping

Words = Mapping[str, tuple[str, str]]

CHANNELS: Words = {
    "scan": ("扫码", "Scan"),
    "help": ("帮扫", "Help-scan"),
    "sentinel": ("哨兵", "Gate scanner"),
    "import": ("导入", "Imported"),
}
DECISIONS: Words = {"pass": ("通行", "Entered"), "deny": ("禁止通行", "Denied")}
COLORS: Words = {"green": ("绿码", "Green"), "yellow": ("黄码", "Yellow"), "red": ("红码", "Red")}
REASONS: Words = {
    "tracing_case": ("病例管控", "Case under control"),
    "test_positive": ("核酸阳性", "Positive test"),
    "health_code_red": ("红码", "Red code"),
    "tracing_close": ("密接", "Close contact"),
    "tracing_secondary": ("次密接", "Secondary contact"),
    "risk_area_high": ("到访高风险区", "Visited a high-risk area"),
    "health_code_yellow": ("黄码", "Yellow code"),
    "tracing_tertiary": ("次次密接", "Tertiary contact"),
    "risk_area_medium": ("到访中风险区", "Visited a medium-risk area"),
    "tracing_general": ("一般接触者", "General contact"),
    "no_health_code": ("无健康码", "No health code"),
    "test_pending": ("核酸结果未出", "Test result pending"),
    "test_expired": ("核酸已过期", "Test too old"),
    "test_missing": ("无核酸结果", "No test result"),
    "vaccination_incomplete": ("疫苗接种未满", "Vaccination incomplete"),
    "test_expires_soon": ("核酸即将过期", "Test expires soon"),
    "test_sampled_in_future": ("核酸采样时间有误", "Test time in the future"),
}
# Column headings of the export, in its order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("时间", "Time"), ("姓名", "Name"), ("身份证号码", "ID number"), ("区域", "Sub-area"),
    ("方式", "Channel"), ("结果", "Result"), ("健康码", "Health code"), ("原因", "Reasons"),
)


def word(table: Words, code: str | None, locale: str) -> str:
    """The code in words; an unknown one stays as it is rather than vanish."""
    if not code:
        return ""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if locale.startswith("zh") else pair[1]


def words_for(locale: str) -> dict[str, dict[str, str]]:
    """Every table in one language, for the page's script."""
    return {name: {code: word(table, code, locale) for code in table}
            for name, table in (("channels", CHANNELS), ("decisions", DECISIONS),
                                ("colors", COLORS), ("reasons", REASONS))}
