"""The reasons again, worded for the helper about the person they help (帮扫).

`reasons.py` speaks to the person at the door ("您的健康码是红码…"). On the help-scan page the
reader is the helper, and the sentence is about someone else: "此人的健康码是红码…", with
what the helper can do for them. It also never advises "请工作人员用帮扫": the helper is
already using it. Same codes, same placeholders, same notes as `reasons.py`; a unit test
checks that every code of the catalogue has its third-person text here.
"""

from __future__ import annotations

from collections.abc import Mapping

from venuecode.policy.reasons import CATALOGUE, DetailValue

# code -> (Chinese, English), with the placeholders of the same code in reasons.py.
HELPED_TEXTS: Mapping[str, tuple[str, str]] = {
    "tracing_case": (
        "此人被确定为新冠确诊病例或无症状感染者，不能进入。请协助其听从医生的安排，接受隔离治疗。",
        "This person has been found to have COVID-19 (with or without symptoms), so they "
        "cannot enter. Please help them follow the doctors' instructions for isolation and "
        "treatment."),
    "test_positive": (
        "此人最近一次核酸检测结果是阳性，不能进入。请让其留在原地、戴好口罩，联系社区或拨打120，等候安排。",
        "This person's latest nucleic-acid test was positive, so they cannot enter. Have them "
        "stay where they are and wear a mask, and call their community or 120 for help."),
    "health_code_red": (
        "此人的健康码是红码，不能进入。请帮其马上联系所在社区，听从安排。",
        "This person's health code is red, so they cannot enter. Please help them contact "
        "their community office now and follow its instructions."),
    "tracing_close": (
        "此人被判定为密切接触者，不能进入。请协助其配合集中隔离，保持电话畅通，等候社区联系。",
        "This person was in close contact with an infected person, so they cannot enter. "
        "Please help them accept central quarantine and wait for their community's call."),
    "tracing_secondary": (
        "此人被判定为密接的密接，不能进入。请协助其配合集中隔离或居家隔离，保持电话畅通，等候社区联系。",
        "This person was in contact with a close contact, so they cannot enter. Please help "
        "them accept quarantine (central or at home) and wait for their community's call."),
    "risk_area_high": (
        "此人近{days}天到过高风险地区（{cities}），不能进入。请帮其马上向所在社区报备，听从安排。",
        "In the last {days} days this person was in a high-risk area ({cities}), so they "
        "cannot enter. Please help them report to their community office now."),
    "health_code_yellow": (
        "此人的健康码是黄码，暂时不能进入。请帮其向所在社区报备，按要求做核酸检测。",
        "This person's health code is yellow, so they cannot enter for now. Please help them "
        "report to their community office and get tested as it asks."),
    "tracing_tertiary": (
        "此人与密切接触者的接触者有过接触，暂时不能进入。请提醒其在家做好健康监测，尽快做核酸检测，等候社区联系。",
        "This person was in contact with someone linked to a close contact, so they cannot "
        "enter for now. Remind them to watch their health at home and get tested soon."),
    "risk_area_medium": (
        "此人近{days}天到过中风险地区（{cities}），暂时不能进入。请帮其向所在社区报备，听从安排。",
        "In the last {days} days this person was in a medium-risk area ({cities}), so they "
        "cannot enter for now. Please help them report to their community office."),
    "tracing_general": (
        "此人被判定为一般接触者，暂时不能进入。请提醒其尽快进行核酸检测。",
        "This person may have been near an infected person, so they cannot enter for now. "
        "Remind them to get a nucleic-acid test as soon as possible."),
    "no_health_code": (
        "没有查到此人的健康码，暂时不能进入。可以用“健康码代办”为其申领健康码。",
        "No health code was found for this person, so they cannot enter for now. You can "
        "apply for one for them with Health code by proxy."),
    "test_pending": (
        "此人的核酸检测结果还没有出来，本场所需要{window}小时内的阴性结果。请等结果出来后再来。",
        "This person's test result is not out yet. This place needs a negative test taken "
        "in the last {window} hours. Please come back when the result is ready."),
    "test_expired": (
        "此人最近一次阴性核酸是{hours}小时前采样的，本场所需要{window}小时内的阴性结果。请先带其去做核酸检测。",
        "This person's last negative test was taken {hours} hours ago. This place needs one "
        "taken in the last {window} hours. Please take them to be tested first."),
    "test_missing": (
        "没有查到此人的阴性核酸结果，本场所需要{window}小时内的阴性结果。请先带其去做核酸检测。",
        "No negative test was found for this person. This place needs one taken in the "
        "last {window} hours. Please take them to be tested first."),
    "vaccination_incomplete": (
        "本场所要求接种满{need}剂新冠疫苗，此人目前接种了{have}剂，暂时不能进入。",
        "This place needs {need} doses of COVID-19 vaccine. This person has had {have}, so "
        "they cannot enter for now."),
    "test_expires_soon": (
        "提醒：此人的核酸结果在本场所还能用约{left}小时，请提醒其及时复检。",
        "Reminder: this person's test is accepted here for about {left} more hours. Remind "
        "them to get tested again soon."),
    "test_sampled_in_future": (
        "此人有一条核酸记录的采样时间晚于现在，可能是时间出错，这条记录暂不计入。",
        "One of this person's test records says it was taken later than now, probably a "
        "clock error, so it is not counted for now."),
}


def helped_message(code: str, details: Mapping[str, DetailValue], locale: str) -> str:
    """The reason `code` about a helped person, in `locale`, with its details and note."""
    spec = CATALOGUE[code]
    zh_text, en_text = HELPED_TEXTS[code]
    zh = locale.startswith("zh")
    values = {k: v for k, v in details.items() if k != "note"}
    text = (zh_text if zh else en_text).format(**values)
    note = details.get("note")
    if note:
        text += (spec.note_zh if zh else spec.note_en).format(note=note)
    return text
