"""The pages work under the content security policy, and a forged post is refused
(issue 11, finding 12): every role's main pages in Chromium with no CSP violation, and a
same-site attacker page (another port of the same host: cookies go along) that posts the
scan form gets the Chinese refusal while the real confirm button still checks in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, live_session, screenshot
from tests.e2e.test_scan_pages import venue_url
from tests.support import facts as f
from venuecode.demo import DEMO_PASSWORD
from venuecode.facts.models import CaseRecord
from venuecode.people.idnumber import make_id_number
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.venues.models import Venue

pytestmark = pytest.mark.browser

CITIZEN = "13655500101"
MANAGER = "13655500102"
DESK = {"width": 1366, "height": 900}
# Chromium reports each blocked script, style or frame as a `securitypolicyviolation` event.
WATCH = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP-VIOLATION " + e.violatedDirective + " " + e.blockedURI + " " + location.pathname));"""


def watched(page: Any) -> list[str]:
    problems: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and (
        "CSP-VIOLATION" in m.text or "Content Security Policy" in m.text) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def sign_in(page: Any, server: LiveServer, phone: str, next_path: str,
            password: str | None = None) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("button[type=submit]")
    if password is not None:
        page.wait_for_url("**/login/password**")
        page.fill("#password", password)
        page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def visit(page: Any, server: LiveServer, *paths: str) -> None:
    for path in paths:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_the_csp_is_enforced_and_the_watch_sees_a_violation(page: Any,
                                                            live_server: LiveServer) -> None:
    problems = watched(page)
    visit(page, live_server, "/login")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.injected = 1"; document.body.append(s); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in p for p in problems), problems


def test_the_api_docs_run_under_the_csp(page: Any, live_server: LiveServer) -> None:
    problems = watched(page)
    visit(page, live_server, "/api/docs")
    page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/venues"]', timeout=15_000)
    assert problems == []


def test_a_citizen_s_pages_and_a_forged_post_from_another_port(
        page: Any, live_server: LiveServer) -> None:
    problems = watched(page)
    number = make_id_number("330106", datetime(1975, 6, 1).date(), 101)
    engine, db = live_session(live_server)
    try:
        f.healthy(db, number, datetime.now(UTC) - timedelta(hours=1))
        db.commit()
    finally:
        db.close()
        engine.dispose()
    first, second = venue_url(live_server, "HZ-XH-0002"), venue_url(live_server, "HZ-XH-0003")
    page.goto(first)
    page.wait_for_url("**/login**")
    page.fill("#phone", CITIZEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", live_server.sms_code(CITIZEN))
    page.click("button[type=submit]")
    page.wait_for_url("**/me/identity**")
    page.fill("#name", "钱安")
    page.fill("#id_number", number)
    page.click("button[type=submit]")
    page.wait_for_selector("#verdict", timeout=30_000)
    visit(page, live_server, "/me/scans", "/")
    page.wait_for_selector("#history li, #history p, .history, main", timeout=10_000)

    def scans() -> int:
        return len(page.request.get(f"{live_server.url}/api/v1/me/scans").json())

    before = scans()
    target = second.replace(live_server.url, "")

    class Attacker(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (f'<!doctype html><meta charset="utf-8"><a id="link" href="{second}">门店</a>'
                    f'<form id="forged" method="post" action="{live_server.url}{target}"></form>'
                    '<script>if (location.hash === "#go") '
                    'document.getElementById("forged").submit();</script>').encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    attacker = ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    evil = f"http://127.0.0.1:{attacker.server_address[1]}/"
    try:
        # Same host, other port: the same site, so the session cookie goes along.
        page.goto(evil + "#go")
        page.wait_for_url(f"**{target}")
        assert "签到未记录" in page.inner_text("main"), page.inner_text("main")
        assert "重新扫描场所码" in page.inner_text("main")
        screenshot(page, "csrf-refused")
        assert scans() == before
        # A link from that page opens the confirm step; our own button checks in.
        page.goto(evil)
        page.click("#link")
        page.wait_for_url(f"**{target}")
        page.click("form button[type=submit]")
        page.wait_for_selector("#verdict", timeout=30_000)
        assert scans() == before + 1
    finally:
        attacker.shutdown()
    # The page errors of the attacker's own page are not ours; ours must be clean.
    assert [p for p in problems if "127.0.0.1:" + str(attacker.server_address[1]) not in p] == []


def test_staff_pages_run_under_the_csp(desk: Any, live_server: LiveServer) -> None:
    page = desk
    problems = watched(page)
    live_server.cli("users", "create", MANAGER, "--role", "venue_manager", "--name", "店长 孙")
    sign_in(page, live_server, MANAGER, "/manage/venues")
    visit(page, live_server, "/manage/venues", "/manage/venues/new")
    page.context.clear_cookies()
    sign_in(page, live_server, "13800000003", "/admin/venues", DEMO_PASSWORD)
    visit(page, live_server, "/admin/venues", "/manage/venues/HZ-XH-0005/gate-devices",
          "/sentinel/HZ-XH-0005")
    page.context.clear_cookies()
    sign_in(page, live_server, "13800000006", "/admin/ingest", DEMO_PASSWORD)
    visit(page, live_server, "/admin/ingest", "/admin/ingest/batches", "/admin/help-alerts")
    page.context.clear_cookies()

    case = make_id_number("330106", datetime(1970, 2, 3).date(), 777)
    contact = make_id_number("330106", datetime(1971, 3, 4).date(), 778)
    engine, db = live_session(live_server)
    try:
        day = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        pk = db.query(Venue.id).filter(Venue.venue_id == "HZ-XH-0005").scalar()
        for person, start in ((case, 0), (contact, 5)):
            db.add(Checkin(id_number=person, venue_pk=pk, channel="scan",
                           scanned_at=day + timedelta(minutes=start),
                           checked_out_at=day + timedelta(minutes=start + 40)))
        db.add(CaseRecord(id_number=case, reference_time=day + timedelta(hours=12),
                          isolated_at=None, kind="confirmed", source="demo", batch_id=None,
                          received_at=day))
        db.flush()
        relink_all(db.connection())
        db.commit()
    finally:
        db.close()
        engine.dispose()
    sign_in(page, live_server, "13800000005", "/tracing", DEMO_PASSWORD)
    visit(page, live_server, "/tracing", f"/tracing/new?cases={case}")
    page.fill("#reason", "CSP 检查")
    page.click("#trace-form button[type=submit]")
    page.wait_for_url("**/tracing/traces/*")
    cell = page.locator("td.phone-cell").first
    cell.locator("button").click()  # the reveal script (a static file) posts with the token
    page.wait_for_function("(cell) => !cell.querySelector('button')", arg=cell.element_handle())
    assert "403" not in cell.inner_text() and "未执行" not in cell.inner_text()
    page.click("#graph-link")
    page.wait_for_selector("#cy[data-ready='1']", timeout=15_000)
    screenshot(page, "csp-trace-graph")
    assert problems == [], problems
