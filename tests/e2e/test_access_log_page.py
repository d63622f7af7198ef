"""A contact signs in and reads, on "我的扫码记录", that a trace including them was run and
exported: in words, never an action code (issue 11 finding 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, live_session, screenshot
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.facts.models import CaseRecord
from venuecode.people.idnumber import make_id_number
from venuecode.people.service import create_user
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.venues.models import Venue

pytestmark = pytest.mark.browser

PHONE = "13700009123"


def test_a_contact_reads_in_words_who_used_their_data(browser: Any, live_server: LiveServer,
                                                       tmp_path: Any) -> None:
    case = make_id_number("330106", datetime(1970, 5, 5).date(), 901)
    contact = make_id_number("330106", datetime(1971, 6, 6).date(), 902)
    day = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0) - timedelta(days=2)
    engine, session = live_session(live_server)
    try:
        pk = dict(session.query(Venue.venue_id, Venue.id).all())["HZ-XH-0002"]
        for person, minutes in ((case, 60), (contact, 40)):
            session.add(Checkin(id_number=person, venue_pk=pk, channel="scan", scanned_at=day,
                                checked_out_at=day + timedelta(minutes=minutes)))
        session.add(CaseRecord(id_number=case, reference_time=day + timedelta(days=1),
                               isolated_at=None, kind="confirmed", source="e2e", batch_id=None,
                               received_at=day))
        user = create_user(session, Actor.cli(), PHONE, Role.CITIZEN, "e2e")
        user.id_number, user.real_name = contact, "钱密接"
        session.flush()
        relink_all(session.connection())
        session.commit()
    finally:
        session.close()
        engine.dispose()
    live_server.cli("trace", "--case", case, "--reason", "e2e 病例流调", "--format", "csv",
                    "--output", str(tmp_path / "t.csv"))

    context = browser.new_context(viewport={"width": 414, "height": 896}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login?next=/me/scans")
        page.fill("#phone", PHONE)
        page.click("button[type=submit]")
        page.wait_for_url("**/login/code**")
        page.fill("#code", live_server.sms_code(PHONE))
        page.click("button[type=submit]")
        page.wait_for_url("**/me/scans")
        page.click("#to-access-log")
        page.wait_for_url("**/me/access-log")
        assert page.locator("#access-log li").count() >= 2
        text = page.inner_text("#access-log")
        assert "流调人员开展了一次流调，结果中包含您" in text
        assert "列有您的流调结果被导出为文件" in text
        assert "运维人员" in text and "e2e 病例流调" in text
        assert "trace." not in text and "operator" not in text
        screenshot(page, "access-log")
    finally:
        context.close()
