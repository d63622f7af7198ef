"""The citizen's own pages (issue 12, item 8): history a page at a time with exits and
reasons in words, the access log in words, the bound identity, the sign-in code page."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.scans.models import Checkin, DeniedAttempt

HTML = {"accept": "text/html"}


def _citizen(client: TestClient, settings: Settings, name: str = "孙小美") -> tuple[dict[str, str], str]:
    headers = sign_in(client, settings, factories.phone())
    number = factories.id_number()
    bound = client.put("/api/v1/me/identity", json={"id_number": number, "name": name}, headers=headers)
    assert bound.status_code == 200, bound.text
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    return headers, number


def test_history_is_paged_with_exit_times_and_reasons_in_words(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    _, number = _citizen(client, settings)
    venue = factories.venue(db)
    start = clock.now() - timedelta(days=5)
    for i in range(40):  # 40 entries, every other one with an exit
        at = start + timedelta(hours=i)
        db.add(Checkin(id_number=number, venue_pk=venue.id, scanned_at=at, channel="help" if i == 39 else "scan",
                       checked_out_at=at + timedelta(minutes=30) if i % 2 == 0 else None))
    for i in range(7):  # and 7 denials, the newest of all
        db.add(DeniedAttempt(id_number=number, venue_pk=venue.id, attempted_at=start + timedelta(hours=41 + i),
                             reasons="health_code_red,tracing_close", health_color="red", channel="scan"))
    db.commit()

    first = client.get("/me/scans", headers=HTML)
    assert first.status_code == 200, first.text
    assert first.text.count('class="history-item') == 20 and "共 47 条记录" in first.text
    assert 'aria-current="page">1<' in first.text and 'href="?page=3"' in first.text
    assert "原因： 红码、密接" in first.text  # the codes in words
    assert "health_code_red" not in first.text and "tracing_close" not in first.text
    assert "他人帮扫登记" in first.text  # the help-scan entry is marked
    last = client.get("/me/scans?page=3", headers=HTML)
    assert last.text.count('class="history-item') == 7 and 'id="pager-next"' not in last.text
    exits = re.findall(r'class="history-exit">([^<]+)<', last.text)
    assert any("离开" in e for e in exits) and any(e == "未登记离开" for e in exits)
    assert client.get("/me/scans?page=99", headers=HTML).text.count('class="history-item') == 7
    bad = client.get("/me/scans?page=abc", headers=HTML)
    assert bad.status_code == 422


def test_the_access_log_page_is_in_words_with_tracing_code_changes(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    _, number = _citizen(client, settings)
    tracer = factories.user(db)
    record(db, Actor(tracer.id, "tracing_supervisor", "127.0.0.1"), AuditAction.TRACE_ACTION_APPROVED,
           "person", number, "聚集性疫情 3 号")
    clock.advance(timedelta(days=14))
    record(db, Actor(tracer.id, "tracing_supervisor", "127.0.0.1"), AuditAction.TRACE_MARK_LIFTED,
           "person", number, "隔离期满，核酸阴性", trace_id=3, code_restored=True)
    db.commit()
    page = client.get("/me/access-log", headers=HTML)
    assert page.status_code == 200, page.text
    assert "流调后的健康码推送更改了您的健康码" in page.text and "聚集性疫情 3 号" in page.text
    assert page.text.count("access-code-change") == 2
    assert "您的流调管控已解除" in page.text and "由这次流调赋予的健康码已恢复为绿码" in page.text
    assert page.text.index("您的流调管控已解除") < page.text.index("流调后的健康码推送")  # newest first
    assert "trace.action_approved" not in page.text and "tracing_supervisor" not in page.text
    assert "流调组长" in page.text  # the role in words, never the staff member


def test_the_identity_page_shows_a_verified_citizen_their_binding(
        client: TestClient, settings: Settings) -> None:
    _, number = _citizen(client, settings, "孙小美")
    page = client.get("/me/identity", headers=HTML)
    assert 'id="identity-bound"' in page.text and "实名认证成功" in page.text
    assert "孙*美" in page.text and number[-4:] in page.text and number not in page.text
    assert 'name="id_number"' not in page.text  # no empty form
    fresh = sign_in(client, settings, factories.phone())
    client.cookies.update({"vc_session": fresh["Authorization"].split()[1]})
    assert 'name="id_number"' in client.get("/me/identity", headers=HTML).text


def test_a_second_code_request_within_a_minute_stays_on_the_code_page(
        client: TestClient, settings: Settings) -> None:
    phone = factories.phone()
    first = client.post("/login", data={"phone": phone, "next": "/me/scans"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login/code?")
    page = client.get(first.headers["location"])
    wait = int(re.search(r'data-wait="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    assert 50 <= wait <= 60 and 'id="resend"' in page.text and "秒后可重新发送" in page.text
    again = client.post("/login", data={"phone": phone, "next": "/me/scans", "resend": "true"})
    assert again.status_code == 200 and "/login/code" in str(again.url)
    assert 'id="code-again"' in again.text and "秒后可重新获取" in again.text
    assert 'name="code"' in again.text  # the code page, not the phone page
    # The first code still signs in.
    from tests.conftest import read_sms_code

    signed_in = client.post("/login/code", data={"phone": phone, "code": read_sms_code(settings, phone),
                                                 "next": "/me/scans"})
    assert signed_in.status_code == 200 and str(signed_in.url).endswith("/me/scans")
    assert "已登录" in signed_in.text  # the flash


def test_home_links_to_history_identity_and_the_access_log(client: TestClient, settings: Settings) -> None:
    _citizen(client, settings)
    home = client.get("/", headers=HTML).text
    for href in ("/me/scans", "/me/identity", "/me/access-log"):
        assert f'href="{href}"' in home
