"""Tracer pages: list, new trace (reason required), trace view with filters and pages,
audited phone reveals, graph data; permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from tests.support.outbreak import clustered_outbreak
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.models import Person, User
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.tracing.models import Trace

DAY = datetime(2022, 4, 17, tzinfo=UTC)
Tracer = tuple[User, dict[str, str]]


def visit(db: Session, venue_pk: int, number: str, start: str, end: str) -> None:
    hh, mm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    db.add(Checkin(id_number=number, venue_pk=venue_pk, channel="scan",
                   scanned_at=DAY + timedelta(hours=hh, minutes=mm),
                   checked_out_at=DAY + timedelta(hours=eh, minutes=em)))


def arrange(db: Session) -> dict[str, str]:
    """A case C at the market with K (30 min: close) and G (5 min: general); K then meets S
    (30 min at the mall: secondary). Returns the id numbers by letter."""
    p = {k: factories.id_number(n) for k, n in (("C", 901), ("K", 902), ("G", 903), ("S", 904))}
    market = factories.venue(db, venue_id="HZ-T-MARKET", name="文三路农贸市场")
    mall = factories.venue(db, venue_id="HZ-T-MALL", name="西溪印象城", category="mall")
    visit(db, market.id, p["C"], "10:00", "10:40")
    visit(db, market.id, p["K"], "10:05", "10:35")
    visit(db, market.id, p["G"], "10:35", "10:50")
    visit(db, mall.id, p["K"], "15:00", "15:30")
    visit(db, mall.id, p["S"], "15:00", "15:40")
    f.case(db, p["C"], DAY + timedelta(days=1, hours=12))
    db.add(Person(id_number=p["K"], name="王密接", phone="13911112222", source="test",
                  batch_id=None, received_at=DAY))
    db.flush()
    relink_all(db.connection())
    db.commit()
    return p


@pytest.fixture
def tracer(client: TestClient, settings: Settings, db: Session) -> Tracer:
    user = factories.user(db, Role.TRACER)
    db.commit()
    return user, sign_in(client, settings, user.phone, factories.PASSWORD)


def run_form(client: TestClient, headers: dict[str, str], cases: str, reason: str = "病例 1 流调",
             dwell: str = "") -> Any:
    return client.post("/tracing/traces", headers=headers, follow_redirects=False,
                       data={"cases": cases, "reason": reason, "as_of": "", "look_back_days": "4",
                             "close_minutes": "15", "depth": "2", "dwell": dwell})


def audits(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


def test_the_tracer_lists_cases_and_runs_a_trace_from_the_form(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    _, headers = tracer
    p = arrange(db)
    page = client.get("/tracing", headers=headers)
    assert page.status_code == 200 and p["C"] in page.text
    home = client.get("/", headers=headers)
    assert 'href="/tracing"' in home.text

    refused = run_form(client, headers, p["C"], reason="  ")
    assert refused.status_code == 422 and "流调事由" in refused.text
    assert db.scalar(select(func.count(Trace.id))) == 0

    response = run_form(client, headers, p["C"])
    assert response.status_code == 303, response.text
    view = client.get(response.headers["location"], headers=headers)
    assert view.status_code == 200
    html = view.text
    assert 'id="count-close">1<' in html and 'id="count-secondary">1<' in html
    assert 'id="count-general">1<' in html
    assert p["K"] in html and p["S"] in html and p["G"] in html
    assert "文三路农贸市场" in html and "/api/v1/traces/" in html
    assert "13911112222" not in html  # phones only on request
    viewed = audits(db, "trace.viewed")
    assert viewed and viewed[-1].reason == "病例 1 流调"


def test_the_form_takes_stays_per_category_and_explains_bad_ones(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    _, headers = tracer
    p = arrange(db)
    assert 'id="dwell"' in client.get("/tracing/new", headers=headers).text
    unknown = run_form(client, headers, p["C"], dwell="market=10，spaceship=5")
    assert unknown.status_code == 422 and "spaceship" in unknown.text and "market=10，spaceship=5" in unknown.text
    assert run_form(client, headers, p["C"], dwell="market").status_code == 422
    assert db.scalar(select(func.count(Trace.id))) == 0
    # A 10-minute market stay: the case leaves at 10:10, so K (from 10:05) is a general contact.
    response = run_form(client, headers, p["C"], dwell="market=10")
    assert response.status_code == 303, response.text
    result = db.scalars(select(Trace)).one().result()
    assert result["rules"]["dwell_minutes"] == {"market": 10.0}
    assert {c["id_number"]: c["tier"] for c in result["contacts"]} == {p["K"]: "general"}
    view = client.get(response.headers["location"], headers=headers).text
    assert "停留时长按类别调整（分钟）：market=10.0" in view


def test_an_unknown_case_is_shown_on_the_form_not_as_a_crash(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    _, headers = tracer
    response = run_form(client, headers, factories.id_number(999))
    assert response.status_code == 422 and "病例库" in response.text


def big_trace(db: Session, user: User, contacts: int = 250) -> Trace:
    """A stored trace with many contacts (no check-ins needed: the view reads the result)."""
    t = "2022-04-17T10:00:00+08:00"
    rows = [{"id_number": f"3301061985031{n:05d}", "tier": "close" if n % 2 else "general",
             "source": "330106198503140011", "exposure_minutes": 20.0,
             "evidence": [{"venue": "HZ-BIG", "start": t, "end": t, "minutes": 20.0}]}
            for n in range(contacts)]
    result = {"as_of": t, "rules": {"look_back_days": 4, "close_minutes": 15, "depth": 2},
              "cases": [{"id_number": "330106198503140011", "reference": t, "isolated": None,
                         "window_start": t, "window_end": t}],
              "contacts": rows, "venues": [{"venue": "HZ-BIG", "intervals": [
                  {"case": "330106198503140011", "start": t, "end": t, "minutes": 20.0}]}]}
    trace = Trace(created_at=datetime(2022, 4, 19, tzinfo=UTC), created_by=user.id,
                  actor=f"user:{user.id}", reason="大规模", as_of=datetime(2022, 4, 19, tzinfo=UTC),
                  cases='["330106198503140011"]', contacts=contacts, venues=1,
                  result_json=orjson.dumps(result).decode())
    db.add(trace)
    db.commit()
    return trace


def test_the_view_is_paginated_and_filtered_on_the_server(
        client: TestClient, db: Session, tracer: Tracer) -> None:
    user, headers = tracer
    trace = big_trace(db, user)
    first = client.get(f"/tracing/traces/{trace.id}", headers=headers).text
    assert first.count('class="link show-phone"') == 100
    last = client.get(f"/tracing/traces/{trace.id}?page=3", headers=headers).text
    assert last.count('class="link show-phone"') == 50
    close = client.get(f"/tracing/traces/{trace.id}?tier=close", headers=headers).text
    assert close.count('<td><span class="tier tier-close">') == 100
    assert close.count('<td><span class="tier tier-general">') == 0
    one = client.get(f"/tracing/traces/{trace.id}?q=33010619850310001", headers=headers).text
    assert one.count('class="link show-phone"') == 10
    views = audits(db, "trace.viewed")
    assert [orjson.loads(v.details)["page"] for v in views][:2] == [1, 3]


def test_a_47000_person_trace_is_one_light_page_and_a_drawable_graph(
        client: TestClient, db: Session, tracer: Tracer) -> None:
    user, headers = tracer
    trace = big_trace(db, user, contacts=47_000)
    page = client.get(f"/tracing/traces/{trace.id}", headers=headers)
    assert page.status_code == 200 and len(page.content) < 300_000
    assert 'id="count-all">47000<' in page.text
    graph = client.get(f"/tracing/traces/{trace.id}/graph.json", headers=headers)
    assert graph.json()["aggregated"] and len(graph.content) < 2_000_000


def test_showing_a_phone_is_audited_per_person_with_the_trace(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    _, headers = tracer
    p = arrange(db)
    trace_url = run_form(client, headers, p["C"]).headers["location"]
    trace_id = int(trace_url.rsplit("/", 1)[1])
    response = client.post(f"{trace_url}/persons/{p['K']}/phone", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"id_number": p["K"], "name": "王密接", "phone": "13911112222"}
    event = audits(db, "person.phone_revealed")[-1]
    assert event.subject_id == p["K"] and event.reason == f"流调 #{trace_id}：病例 1 流调"
    outsider = client.post(f"{trace_url}/persons/{factories.id_number(777)}/phone", headers=headers)
    assert outsider.status_code == 404


def test_the_graph_data_is_served_filtered_and_audited(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    _, headers = tracer
    p = arrange(db)
    trace_url = run_form(client, headers, p["C"]).headers["location"]
    page = client.get(f"{trace_url}/graph", headers=headers)
    assert page.status_code == 200 and "/static/vendor/cytoscape.min.js" in page.text
    graph = client.get(f"{trace_url}/graph.json", headers=headers).json()
    kinds = {n["data"]["id"]: n["data"]["kind"] for n in graph["nodes"]}
    assert kinds[f"case:{p['C']}"] == "case" and kinds["venue:HZ-T-MARKET"] == "venue"
    assert kinds[f"person:{p['S']}"] == "person"
    close = client.get(f"{trace_url}/graph.json?tier=close", headers=headers).json()
    assert {n["data"]["id"] for n in close["nodes"] if n["data"]["kind"] == "person"} == {f"person:{p['K']}"}
    later = client.get(f"{trace_url}/graph.json?from=2022-04-18", headers=headers).json()
    assert later["contacts"] == 0
    assert len(audits(db, "trace.graph_viewed")) >= 3


def test_citizens_and_managers_cannot_open_tracing(
        client: TestClient, db: Session, settings: Settings, tracer: Tracer) -> None:
    user, _ = tracer
    trace = big_trace(db, user, contacts=3)
    citizen = sign_in(client, settings, "13700000077")
    for url in ("/tracing", f"/tracing/traces/{trace.id}", f"/tracing/traces/{trace.id}/graph.json"):
        assert client.get(url, headers=citizen).status_code == 403
    assert client.get("/tracing", follow_redirects=False).status_code in (303, 401)


def test_the_graph_opens_on_the_chains_overview_and_drills_into_one_audited(
        client: TestClient, db: Session, clock: FixedClock, tracer: Tracer) -> None:
    user, headers = tracer
    result = clustered_outbreak(cases=24, contacts=600, chains=4)
    trace = Trace(created_at=clock.now(), created_by=user.id, actor="test", reason="聚集",
                  as_of=clock.now(), cases="[]", contacts=600, venues=len(result["venues"]),
                  result_json=orjson.dumps(result).decode())
    db.add(trace)
    db.commit()
    url = f"/tracing/traces/{trace.id}/graph.json"
    overview = client.get(f"{url}?view=auto", headers=headers).json()
    assert overview["view"] == "overview" and len(overview["nodes"]) == 4
    assert set(overview["cases_list"]) == {c["id_number"] for c in result["cases"]}
    chain = client.get(f"{url}?view=auto&cluster=2&layout=time", headers=headers).json()
    assert chain["view"] == "chain" and chain["layout"] == "time" and chain["axis"]
    assert chain["clusters"] == 1
    event = audits(db, "trace.graph_viewed")[-1]
    details = orjson.loads(event.details)
    assert details["cluster"] == 2 and details["layout"] == "time"
    for bad in ("tier=friends", "cluster=0", "layout=circle", "view=all", "case=" + "1" * 30):
        refused = client.get(f"{url}?{bad}", headers=headers)
        assert refused.status_code == 422, bad
