"""The operator console in Chromium, on a desktop and on a 390-px phone: a system admin
creates an account (a weak password first, refused naming the field), deactivates it
after confirming, resets a password, creates and revokes an API key, searches and
exports the audit log and reads the settings; a district admin sees their district only.
Every page fits the phone's width; screenshots go to VENUECODE_TEST_ARTIFACTS."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, confirm, live_session, screenshot
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.people.idnumber import make_id_number

pytestmark = pytest.mark.browser

ADMIN, DISTRICT_ADMIN = "13700006001", "13700006002"
PASSWORD = "quiet-orchard-lantern-violin"  # this test's own accounts
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _sign_in(page: Any, server: LiveServer, phone: str) -> None:
    page.goto(f"{server.url}/login?next=/")
    page.fill("#phone", phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(phone))
    page.click("button[type=submit]")
    page.wait_for_url("**/login/password**")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")


@pytest.fixture(scope="module")
def states(browser: Any, live_server: LiveServer,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Our own admin accounts (other tests sign the demo's in; SMS codes are limited per
    phone), signed in once each through the pages."""
    live_server.cli("users", "create", ADMIN, "--role", "system_admin", "--name", "控制台管理员",
                    "--password", PASSWORD)
    live_server.cli("users", "create", DISTRICT_ADMIN, "--role", "district_admin",
                    "--name", "西湖区窗口", "--district", "西湖区", "--password", PASSWORD)
    folder = tmp_path_factory.mktemp("console-state")
    out = {}
    for name, phone in (("admin", ADMIN), ("district", DISTRICT_ADMIN)):
        context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
        _sign_in(context.new_page(), live_server, phone)
        out[name] = str(folder / f"{name}.json")
        context.storage_state(path=out[name])
        context.close()
    return out


def _page(browser: Any, state: str, viewport: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN",
                                  storage_state=state, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy"
            in m.text else None)
    yield page
    context.close()
    assert not problems, problems


def _fits(page: Any, viewport: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{page.url}: {width} px wide"


def _shot(page: Any, viewport: str, name: str) -> None:
    _fits(page, viewport)
    screenshot(page, f"console-{name}-{viewport}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_system_admin_walks_the_console(browser: Any, live_server: LiveServer,
                                          states: dict[str, str], viewport: str) -> None:
    person = make_id_number("330106", date(1980, 1, 2), 700 + len(viewport))
    engine, session = live_session(live_server)
    try:
        record(session, Actor("user:4", "tracer"), AuditAction.PERSON_VIEWED, "person", person,
               "e2e 纸质健康码查询")
        session.commit()
    finally:
        session.close()
        engine.dispose()
    new_phone = "1370000610" + ("1" if viewport == "desktop" else "2")
    dialogs: list[str] = []
    for page in _page(browser, states["admin"], viewport):
        page.goto(f"{live_server.url}/")
        assert page.locator("a[href='/admin/district']").count() == 0
        page.click("a[href='/admin/console']")
        page.wait_for_url("**/admin/console")
        assert page.locator("#api-docs-link").get_attribute("href") == "/api/docs"
        for href in ("/admin/ingest", "/admin/ingest/batches", "/admin/console/keys",
                     "/admin/console/audit", "/admin/console/settings"):
            assert page.locator(f"#console-sections a[href='{href}']").count() == 1
        _shot(page, viewport, "home")

        # Accounts: a weak password is refused naming the field, then the account is made.
        page.click("#console-sections a[href='/admin/console/accounts']")
        page.click("#new-account")
        page.fill("#phone", new_phone)
        page.select_option("#role", "tracer")
        page.fill("#name", "流调员 e2e")
        page.select_option("#district", "上城区")
        page.fill("#password", "password1234")
        page.click("#account-form button[type=submit]")
        assert "密码：密码太容易被猜到" in page.inner_text("#console-error")
        _shot(page, viewport, "account-refused")
        page.fill("#password", "amber-kettle-meadow-sparrow")
        page.click("#account-form button[type=submit]")
        page.wait_for_url("**/admin/console/accounts?done=created")
        assert page.inner_text("#console-done") == "✓ 账号已创建。"
        page.select_option("#role", "tracer")
        page.select_option("#district", "上城区")
        page.click("#account-filters button")
        row = page.locator("tr", has_text=new_phone)
        assert row.count() == 1 and "流调人员" in row.inner_text()
        _shot(page, viewport, "accounts")

        row.locator("button", has_text="停用账号").click()
        dialogs.append(confirm(page))
        page.wait_for_url("**done=deactivated")
        assert dialogs and f"确定停用 {new_phone} 吗" in dialogs[-1]
        assert "账号已停用" in page.inner_text("#console-done")
        assert "已停用" in page.locator("tr", has_text=new_phone).inner_text()

        page.locator("tr", has_text=new_phone).locator("a", has_text="重置密码").click()
        page.click("#password-form button[type=submit]")
        dialogs.append(confirm(page))
        assert "确定重置" in dialogs[-1]
        temporary = page.inner_text("#temporary-password")
        assert len(temporary) == 24
        _shot(page, viewport, "password-temporary")

        # API keys: created with kinds, shown once, revoked after confirming.
        page.goto(f"{live_server.url}/admin/console/keys")
        page.fill("#source_name", f"e2e 卫健委 {viewport}")
        page.check("input[name=kinds][value=health_codes]")
        page.check("input[name=kinds][value=nucleic_acid_tests]")
        page.click("#key-form button[type=submit]")
        key = page.inner_text("#new-key")
        assert key.startswith("vc_")
        line = page.locator("tr", has_text=f"e2e 卫健委 {viewport}")
        assert "健康码、核酸检测" in line.inner_text() and "从未使用" in line.inner_text()
        _shot(page, viewport, "key-created")
        page.reload()
        assert key not in page.content()
        page.locator("tr", has_text=f"e2e 卫健委 {viewport}").locator("button").click()
        dialogs.append(confirm(page))
        page.wait_for_url("**done=key_revoked")
        assert "吊销" in dialogs[-1] and "密钥已吊销" in page.inner_text("#console-done")
        _shot(page, viewport, "keys")

        # The audit log: by a person's ID number, in words, exported formula-safe.
        page.goto(f"{live_server.url}/admin/console/audit")
        page.fill("#id_number", person)
        page.click("#audit-filters button")
        events = page.inner_text("#audit-events")
        assert "查询人员健康状态" in events and "e2e 纸质健康码查询" in events
        assert "person.viewed" not in events and person not in events
        _shot(page, viewport, "audit")
        with page.expect_download() as download:
            page.click("#audit-export")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "时间" and any(r[5] == "person.viewed" for r in rows[1:])

        page.goto(f"{live_server.url}/admin/console/settings")
        assert "VENUECODE_DATABASE_URL" in page.inner_text("#settings")
        assert "VENUECODE_SECRET_KEY" in page.inner_text("#settings")
        _shot(page, viewport, "settings")

        page.goto(f"{live_server.url}/admin/console/accounts?lang=en")
        assert "Create an account" in page.inner_text("main")
        _shot(page, viewport, "accounts-en")


def test_a_district_admin_sees_the_venue_managers_of_their_district(
        browser: Any, live_server: LiveServer, states: dict[str, str]) -> None:
    for page in _page(browser, states["district"], "phone"):
        page.goto(f"{live_server.url}/admin/console")
        assert page.locator("#console-sections a[href='/admin/console/audit']").count() == 0
        page.click("#console-sections a[href='/admin/console/accounts']")
        table = page.inner_text("#accounts")
        assert "13800000002" in table  # the demo's manager runs 文三路农贸市场 (西湖区)
        assert "13800000004" not in table and "13700006001" not in table
        assert page.locator("#district").count() == 0
        _shot(page, "phone", "district-accounts")
