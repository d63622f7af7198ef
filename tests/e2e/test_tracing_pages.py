"""A tracer signs in (SMS code + password), runs a trace from the form, reads it, reveals a
phone, and opens the association chain graph; screenshots of both pages are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, confirm, live_session, screenshot
from tests.support.outbreak import clustered_outbreak
from venuecode.demo import DEMO_PASSWORD
from venuecode.facts.models import CaseRecord
from venuecode.people.idnumber import make_id_number
from venuecode.people.models import Person
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.tracing.models import Trace
from venuecode.venues.models import Venue

pytestmark = pytest.mark.browser

TRACER = "13800000004"
DESK = {"width": 1366, "height": 900}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def number(n: int) -> str:
    return make_id_number("330106", datetime(1980 + n % 30, 1 + n % 12, 1 + n % 27).date(), 500 + n)


def arrange(server: LiveServer) -> list[str]:
    """Two chains: cases 1 and 2 share the market; case 3 is alone at the restaurant.
    Contacts stay 10-40 minutes (close or general); some close contacts then meet others
    at the mall (secondary)."""
    engine, session = live_session(server)
    try:
        day = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0) - timedelta(days=2)
        pk = dict(session.query(Venue.venue_id, Venue.id).all())
        cases = [number(1), number(2), number(3)]

        def checkin(db: Session, person: str, venue: str, start: timedelta, minutes: int) -> None:
            db.add(Checkin(id_number=person, venue_pk=pk[venue], channel="scan",
                           scanned_at=day + start, checked_out_at=day + start + timedelta(minutes=minutes)))

        checkin(session, cases[0], "HZ-XH-0001", timedelta(hours=0), 60)
        checkin(session, cases[1], "HZ-XH-0001", timedelta(hours=3), 45)
        checkin(session, cases[2], "HZ-XH-0005", timedelta(hours=4), 60)
        for i in range(4, 28):
            person = number(i)
            venue, base = [("HZ-XH-0001", 0), ("HZ-XH-0001", 3), ("HZ-XH-0005", 4)][i % 3]
            checkin(session, person, venue, timedelta(hours=base, minutes=(i * 7) % 30), 10 + (i * 11) % 35)
            session.add(Person(id_number=person, name=SURNAMES[i % 20] + "某", phone=f"1391234{i:04d}",
                               source="demo", batch_id=None, received_at=day))
            if i % 4 == 0:  # later at the mall with someone else
                other = number(100 + i)
                checkin(session, person, "HZ-XH-0004", timedelta(hours=8), 40)
                checkin(session, other, "HZ-XH-0004", timedelta(hours=8, minutes=5), 30)
        for person in cases:
            session.add(CaseRecord(id_number=person, reference_time=day + timedelta(days=1),
                                   isolated_at=None, kind="confirmed", source="demo", batch_id=None,
                                   received_at=day))
        session.flush()
        relink_all(session.connection())
        session.commit()
        return cases
    finally:
        session.close()
        engine.dispose()


@pytest.fixture(scope="module")
def tracer_state(browser, live_server: LiveServer, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Sign in once (SMS codes are rate-limited per phone) and keep the cookie."""
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login?next=/tracing")
    page.fill("#phone", TRACER)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", live_server.sms_code(TRACER))
    page.click("button[type=submit]")
    page.wait_for_url("**/login/password**")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/tracing")
    path = tmp_path_factory.mktemp("state") / "tracer.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def tracer_page(browser, tracer_state: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESK, locale="zh-CN", storage_state=tracer_state)
    page = context.new_page()
    yield page
    context.close()


def test_a_tracer_runs_a_trace_reads_it_and_opens_the_chain_graph(
        tracer_page: Any, live_server: LiveServer) -> None:
    page = tracer_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    cases = arrange(live_server)
    page.goto(f"{live_server.url}/tracing")
    for case in cases:
        page.check(f"#case-{case}")
    page.click("#pick-cases button[type=submit]")
    page.wait_for_url("**/tracing/new?**")
    page.fill("#reason", "本土病例 3 例流调（演示）")
    page.click("#trace-form button[type=submit]")
    page.wait_for_url("**/tracing/traces/*")
    assert int(page.inner_text("#count-close")) > 0
    assert int(page.inner_text("#count-all")) > 10
    assert page.locator("#contacts tbody tr").count() > 10

    row = page.locator("#contacts tbody tr").first
    cell = row.locator("td.phone-cell")
    cell.locator("button").click()
    page.wait_for_function("(cell) => !cell.querySelector('button')", arg=cell.element_handle())
    assert "1391234" in cell.inner_text()
    screenshot(page, "trace-view")

    page.click("#graph-link")
    page.wait_for_url("**/graph")
    try:
        page.wait_for_selector("#cy[data-ready='1']", timeout=15_000)
    except Exception:
        screenshot(page, "trace-graph-debug")
        raise AssertionError(errors) from None
    assert page.locator("#cy canvas").count() > 0
    # Two chains (the market's two cases, the restaurant's one): the overview comes first.
    assert page.get_attribute("#cy", "data-view") == "overview"
    assert int(page.get_attribute("#cy", "data-nodes") or 0) == 2
    page.evaluate("window.venuecodeGraph.nodes('[kind = \"cluster_box\"]')[0].emit('tap')")
    page.click("#open-chain")
    page.wait_for_selector("#cy[data-ready='1'][data-view='chain']", timeout=15_000)
    # A small chain is laid out by dagre in the browser, labels included: no overlaps.
    assert page.get_attribute("#cy", "data-layout") == "dagre"
    boxes = page.evaluate("""window.venuecodeGraph.nodes('[kind = "person"], [kind = "venue"], [kind = "case"]')
        .map((n) => n.boundingBox({includeLabels: true}))""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a["x2"] <= b["x1"] + 1 or b["x2"] <= a["x1"] + 1 or a["y2"] <= b["y1"] + 1 \
                or b["y2"] <= a["y1"] + 1, (a, b)
    # Wheel zoom works.
    before = page.evaluate("window.venuecodeGraph.zoom()")
    page.mouse.move(400, 500)
    page.hover("#cy")
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(300)
    assert page.evaluate("window.venuecodeGraph.zoom()") != before
    # A click on a person shows their evidence in the side panel.
    page.evaluate("window.venuecodeGraph.nodes('[kind = \"person\"]')[0].emit('tap')")
    assert "分钟" in page.inner_text("#panel") or "min" in page.inner_text("#panel")
    page.wait_for_timeout(300)
    screenshot(page, "trace-graph")

    with page.expect_download() as download:
        page.click("#export-svg")
    assert download.value.suggested_filename.endswith(".svg")

    # The push: nothing is ticked at first; the tracer ticks close contacts only, the
    # browser asks before the request, and the request shows its count per tier and colour.
    page.go_back()
    page.wait_for_selector("#push-request")
    assert not page.is_checked("#push-tier-close")
    close = int(page.inner_text("#count-close"))
    page.check("#push-tier-close")
    page.click("#request-push")
    asked = confirm(page, accept=False)
    assert "流调组长" in asked
    assert page.locator(".action").count() == 0  # dismissed: nothing requested
    page.click("#request-push")
    confirm(page)
    page.wait_for_selector(".action .push-scope")
    assert f"{close} 人" in page.inner_text(".action .push-scope")
    assert "红码" in page.inner_text(".action .push-scope")
    screenshot(page, "trace-push-requested")
    page.click(".action form[action$='/withdraw'] button")
    confirm(page)
    page.wait_for_selector("#push-request")
    assert "已撤回" in page.inner_text("#actions")


def test_an_outbreak_of_173_cases_and_85000_contacts_reads_as_chains_then_a_time_axis(
        tracer_page: Any, live_server: LiveServer) -> None:
    engine, session = live_session(live_server)
    try:
        now = datetime.now(UTC)
        result = clustered_outbreak(cases=173, contacts=85_000, chains=12)
        trace = Trace(created_at=now, created_by=None, actor="cli", reason="聚集性疫情（合成数据）",
                      as_of=now, cases="[]", contacts=85_000, venues=len(result["venues"]),
                      result_json=orjson.dumps(result).decode())
        session.add(trace)
        session.commit()
        trace_id = trace.id
    finally:
        session.close()
        engine.dispose()
    page = tracer_page
    page.goto(f"{live_server.url}/tracing/traces/{trace_id}/graph")
    page.wait_for_selector("#cy[data-ready='1']", timeout=60_000)
    # The overview: one box per chain with its counts, not a hairball.
    assert page.get_attribute("#cy", "data-view") == "overview"
    assert int(page.get_attribute("#cy", "data-nodes") or 0) == 12
    assert "传播链总览" in page.inner_text("#graph-summary")
    screenshot(page, "trace-graph-overview")
    page.evaluate("window.venuecodeGraph.nodes('[kind = \"cluster_box\"]')[0].emit('tap')")
    assert "传播链 #" in page.inner_text("#panel")
    page.click("#open-chain")
    page.wait_for_selector("#cy[data-ready='1'][data-view='chain']", timeout=60_000)
    nodes = int(page.get_attribute("#cy", "data-nodes") or 0)
    assert 10 < nodes < 2_000
    # Still responsive: a tap on a group node answers at once with its count.
    page.evaluate("window.venuecodeGraph.nodes('[kind = \"group\"]')[0].emit('tap')")
    assert "人" in page.inner_text("#panel")
    screenshot(page, "trace-graph-chain-outbreak")
    page.select_option("#layout", "time")
    page.wait_for_selector("#cy[data-ready='1'][data-layout='time']", timeout=60_000)
    ticks = page.evaluate("window.venuecodeGraph.nodes('[kind = \"tick\"]').map((n) => n.data('label'))")
    assert len(ticks) >= 2 and all(t[2] == "-" and len(t) in (5, 11) for t in ticks)
    screenshot(page, "trace-graph-time-outbreak")
    with page.expect_download() as download:
        page.click("#export-svg")
    assert download.value.suggested_filename.endswith(".svg")
