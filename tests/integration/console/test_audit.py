"""The audit log viewer: who saw what and why, by person, actor, action and time, in words,
paginated; the CSV export is streamed and formula-safe; every read is itself audited, and
a search by ID number is in that person's access log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.integration.console.conftest import actions_about, headers_for, staff
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor, record, record_about
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.models import User


def _seed(db: Session, clock: FixedClock) -> tuple[User, User, str, str]:
    """A tracer's trace listing the person and another's look-up, on two days."""
    tracer = factories.user(db, Role.TRACER)
    desk = factories.user(db, Role.DISTRICT_ADMIN, "西湖区")
    person, other = factories.id_number(), factories.id_number()
    record_about(db, Actor(f"user:{tracer.id}", "tracer"), AuditAction.TRACE_RUN, "trace", 7,
                 [person, other], "=HYPERLINK(\"http://x\") 病例流调")
    clock.advance(timedelta(days=1))
    record(db, Actor(f"user:{desk.id}", "district_admin"), AuditAction.PERSON_VIEWED,
           "person", person, "纸质健康码查询")
    record(db, Actor(f"user:{desk.id}", "district_admin"), AuditAction.PERSON_VIEWED,
           "person", other, "另一人")
    db.commit()
    return tracer, desk, person, other


def test_a_search_by_id_number_shows_who_saw_what_and_why_and_is_in_their_log(
        client: TestClient, settings: Settings, db: Session, clock: FixedClock) -> None:
    tracer, _desk, person, _other = _seed(db, clock)
    _admin, headers = staff(db, settings)
    page = client.get(f"/admin/console/audit?id_number={person}", headers=headers)
    assert page.status_code == 200
    events = page.text.split('id="audit-events"')[1].split("</ol>")[0]
    assert events.count("data-event=") == 2
    assert "开展流调" in events and "查询人员健康状态" in events
    assert "流调人员" in events and "区级管理员" in events  # roles in words
    assert "纸质健康码查询" in events and "病例流调" in events  # why
    assert tracer.phone[-4:] in events and "trace.run" not in events
    assert person not in events and "另一人" not in events  # masked, and only theirs
    assert "2 人" in events  # how many persons the trace listed
    assert f"人员 {person[:4]}" in events and "流调 7" in events  # subjects in words
    assert f"账号 #{tracer.id}" in events and "person" not in events

    # The read itself: an event about the person, in their own access log.
    assert actions_about(db, "person", person)[-1] == "audit.viewed"
    citizen = factories.user(db)
    citizen.id_number, citizen.real_name = person, "张三"
    db.commit()
    log = client.get("/api/v1/me/access-log", headers=headers_for(settings, citizen)).json()
    assert log[0]["what"] == "运维人员按您的身份证号码查询了审计日志"
    assert log[0]["role_name"] == "系统管理员"


def test_filters_by_actor_action_and_days(
        client: TestClient, settings: Settings, db: Session, clock: FixedClock) -> None:
    tracer, desk, person, _ = _seed(db, clock)
    _, headers = staff(db, settings)

    def shown(query: str) -> str:
        response = client.get(f"/admin/console/audit?{query}", headers=headers)
        assert response.status_code == 200, response.text[-500:]
        return response.text.split('id="audit-events"')[1].split("</ol>")[0]

    by_phone = shown(f"actor={desk.phone}")
    assert by_phone.count("data-event=") == 2 and "开展流调" not in by_phone
    assert shown(f"actor=user:{tracer.id}").count("data-event=") >= 1
    assert "开展流调" in shown(f"actor=%23{tracer.id}")
    assert "开展流调" not in shown("action=person.viewed")
    start = clock.now().astimezone(settings.tz).date()
    day_before = (start - timedelta(days=1)).isoformat()
    only_first = shown(f"since={day_before}&until={day_before}&id_number={person}")
    assert only_first.count("data-event=") == 1 and "开展流调" in only_first
    assert "没有符合条件的记录" in shown("actor=13999999999")


def test_bad_filters_name_the_field_and_are_not_run(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, headers = staff(db, settings)
    cases = [
        ("id_number=330106", "身份证号码：身份证号码应为18位"),
        ("action=trace.deleted", "操作：请从列表中选择操作。"),
        ("since=2022-13-01", "起：请输入日期"),
        ("until=yesterday", "止：请输入日期"),
        ("since=2022-04-20&until=2022-04-19", "止：结束日期不能早于开始日期。"),
        ("page=0", "页码"),
    ]
    for query, message in cases:
        response = client.get(f"/admin/console/audit?{query}", headers=headers)
        assert response.status_code == 422, query
        assert message in response.text, (query, response.text[-800:])
        assert 'id="audit-events"' not in response.text
    export = client.get("/admin/console/audit.csv?since=nope", headers=headers)
    assert export.status_code == 422 and "起：请输入日期" in export.text
    english = client.get("/admin/console/audit?lang=en&until=nope", headers=headers)
    assert "To: Enter a date such as 2022-04-19." in english.text
    db.expire_all()
    assert db.scalar(select(AuditEvent).where(AuditEvent.actor == f"user:{admin.id}")) is None


def test_the_export_is_streamed_formula_safe_and_audited(
        client: TestClient, settings: Settings, db: Session, clock: FixedClock) -> None:
    _, _, person, _ = _seed(db, clock)
    _admin, headers = staff(db, settings)
    with client.stream("GET", f"/admin/console/audit.csv?id_number={person}",
                       headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "content-length" not in response.headers  # streamed, not built in memory
        assert response.headers["content-disposition"].startswith("attachment")
        body = b"".join(response.iter_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["时间", "操作人", "账号", "角色", "操作"]
    assert len(rows) == 3
    trace = next(r for r in rows if r[5] == "trace.run")
    assert trace[4] == "开展流调" and trace[7].startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert person not in body
    assert actions_about(db, "person", person)[-1] == "audit.exported"


def test_pages_of_fifty_newest_first_and_a_plain_read_is_audited_too(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, headers = staff(db, settings)
    for n in range(60):
        record(db, Actor.cli(), AuditAction.VENUE_APPROVED, "venue", n)
    db.commit()
    first = client.get("/admin/console/audit?action=venue.approved", headers=headers).text
    assert first.count("data-event=") == 50 and 'rel="next"' in first
    assert first.index("场所 59") < first.index("场所 58")
    second = client.get("/admin/console/audit?action=venue.approved&page=2", headers=headers).text
    assert second.count("data-event=") == 10 and 'rel="next"' not in second
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit.viewed",
                                                AuditEvent.actor == f"user:{admin.id}")).all()
    assert len(reads) == 2 and reads[0].subject_type == "audit_log"
    assert '"action":"venue.approved"' in reads[0].details


def test_the_viewer_is_for_system_admins_only(client: TestClient, settings: Settings,
                                              db: Session) -> None:
    for role in (Role.DISTRICT_ADMIN, Role.TRACING_SUPERVISOR, Role.TRACER):
        _, headers = staff(db, settings, role)
        assert client.get("/admin/console/audit", headers=headers).status_code == 403
        assert client.get("/admin/console/audit.csv", headers=headers).status_code == 403


def test_every_action_has_operator_words_in_chinese() -> None:
    from venuecode.audit.words import OPERATOR_WORDS
    from venuecode.web.i18n import translations

    zh = translations("zh")
    for action in AuditAction:
        words = OPERATOR_WORDS[action]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.gettext(words)), action




def test_a_long_export_is_read_page_by_page_without_gaps_or_repeats(
        client: TestClient, settings: Settings, db: Session,
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from venuecode.console import audit_log

    monkeypatch.setattr(audit_log, "EXPORT_PAGE", 3)
    _, headers = staff(db, settings)
    for n in range(8):
        record(db, Actor.cli(), AuditAction.VENUE_REVOKED, "venue", n, f"=cmd|{n}")
    db.commit()
    body = client.get("/admin/console/audit.csv?action=venue.revoked", headers=headers).text
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert [r[6] for r in rows] == [f"场所 {n}" for n in range(7, -1, -1)]
    assert all(r[7].startswith("'=cmd|") for r in rows)
