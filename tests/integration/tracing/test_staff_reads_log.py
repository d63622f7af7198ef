"""Finding 5 of issue 11: every staff read of a person's data is in that person's access
log, in words, as the citizen reads it (GET /api/v1/me/access-log, signed in as them).

One test per kind of read; each fails when its audit call is taken out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor
from venuecode.audit.words import ACTION_WORDS
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.ingest.service import push
from venuecode.people.models import Person, User
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.tracing.models import Trace, TraceAction
from venuecode.tracing.push_scope import tiers_of

DAY = datetime(2022, 4, 17, tzinfo=UTC)
Headers = dict[str, str]

RUN = "流调人员开展了一次流调，结果中包含您"
VIEW = "流调人员查看了列有您的流调结果"
GRAPH = "流调人员查看了包含您的传播链路图"
EXPORT = "列有您的流调结果被导出为文件"
REVEAL = "流调人员查看了您的姓名和电话号码（显示电话）"
PUSH = "流调后的健康码推送更改了您的健康码"
LIFT = "您的流调管控已解除"
LISTED = "流调人员查看了病例和流调列表，其中显示了您的病例信息"
REJECTS = "包含您信息的数据导入退回记录被下载"


class City:
    """Case C at the market with K (30 min: close) and G (5 min: general); K then meets S
    at the mall (secondary). C, K and G are citizens with bound accounts; one tracer."""

    def __init__(self, client: TestClient, db: Session, settings: Settings) -> None:
        self.client, self.db, self.settings = client, db, settings
        self.p = {k: factories.id_number(n) for k, n in (("C", 911), ("K", 912), ("G", 913),
                                                          ("S", 914), ("X", 915))}
        market = factories.venue(db, venue_id="HZ-A-MARKET", name="文三路农贸市场")
        mall = factories.venue(db, venue_id="HZ-A-MALL", name="西溪印象城", category="mall")
        for venue, who, start, end in ((market, "C", "10:00", "10:40"), (market, "K", "10:05", "10:35"),
                                       (market, "G", "10:35", "10:50"), (mall, "K", "15:00", "15:30"),
                                       (mall, "S", "15:00", "15:40")):
            h, m = (int(x) for x in start.split(":"))
            eh, em = (int(x) for x in end.split(":"))
            db.add(Checkin(id_number=self.p[who], venue_pk=venue.id, channel="scan",
                           scanned_at=DAY + timedelta(hours=h, minutes=m),
                           checked_out_at=DAY + timedelta(hours=eh, minutes=em)))
        f.case(db, self.p["C"], DAY + timedelta(days=1, hours=12))
        db.add(Person(id_number=self.p["K"], name="王密接", phone="13911112222", source="test",
                      batch_id=None, received_at=DAY))
        self.accounts: dict[str, User] = {}
        for who in ("C", "K", "G", "X"):
            user = factories.user(db)
            # Bound directly: how a binding is proved is not what these tests are about.
            user.id_number, user.real_name = self.p[who], f"市民{who}"
            self.accounts[who] = user
        self.tracer_user = factories.user(db, Role.TRACER)
        db.flush()
        relink_all(db.connection())
        db.commit()
        self.tracer = sign_in(client, settings, self.tracer_user.phone, factories.PASSWORD)
        self._citizens: dict[str, Headers] = {}

    def citizen(self, who: str) -> Headers:
        if who not in self._citizens:
            self._citizens[who] = sign_in(self.client, self.settings, self.accounts[who].phone)
        return self._citizens[who]

    def log(self, who: str, lang: str = "") -> list[dict[str, str]]:
        response = self.client.get("/api/v1/me/access-log" + (f"?lang={lang}" if lang else ""),
                                   headers=self.citizen(who))
        assert response.status_code == 200, response.text
        entries: list[dict[str, str]] = response.json()
        return entries

    def whats(self, who: str) -> list[str]:
        return [e["what"] for e in self.log(who)]

    def run(self) -> str:
        """A trace of C through the tracer's form; returns the trace page's URL."""
        response = self.client.post("/tracing/traces", headers=self.tracer, follow_redirects=False,
                                    data={"cases": self.p["C"], "reason": "病例 1 流调", "as_of": "",
                                          "look_back_days": "4", "close_minutes": "15",
                                          "depth": "2", "dwell": ""})
        assert response.status_code == 303, response.text
        return str(response.headers["location"])


@pytest.fixture
def city(client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> City:
    return City(client, db, settings)


def test_a_trace_run_is_in_the_log_of_each_contact_and_case_in_words(city: City) -> None:
    assert city.log("K") == []
    city.run()
    entry = city.log("K")[0]
    assert entry["what"] == RUN and entry["role_name"] == "流调人员"
    assert entry["reason"] == "病例 1 流调"
    assert "trace.run" not in entry["what"]
    assert city.whats("C") == [RUN] and city.whats("G") == [RUN]
    assert city.log("X") == []  # not in the trace: nothing
    english = city.log("K", lang="en")[0]
    assert english["what"] == "A contact trace was run whose result includes you"
    assert english["role_name"] == "Tracer"


def test_a_trace_run_through_the_api_is_in_the_contacts_log(city: City) -> None:
    created = city.client.post("/api/v1/traces", headers=city.tracer, json={
        "cases": [city.p["C"]], "reason": "病例 1 流调", "look_back_days": 4,
        "close_minutes": 15, "depth": 2})
    assert created.status_code == 201, created.text
    assert city.whats("K") == [RUN]


def test_each_view_of_a_trace_page_listing_the_person_is_in_their_log(city: City) -> None:
    url = city.run()
    for _ in range(4):
        assert city.client.get(url, headers=city.tracer).status_code == 200
    assert city.whats("K") == [VIEW] * 4 + [RUN]
    # A page filtered to general contacts lists G, not K: only G's log gains a view.
    assert city.client.get(url + "?tier=general", headers=city.tracer).status_code == 200
    assert city.whats("K").count(VIEW) == 4
    assert city.whats("G").count(VIEW) == 5


def test_reading_a_trace_through_the_api_is_in_the_contacts_log(city: City) -> None:
    trace_id = city.run().rsplit("/", 1)[1]
    assert city.client.get(f"/api/v1/traces/{trace_id}", headers=city.tracer).status_code == 200
    assert city.whats("K") == [VIEW, RUN]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_is_in_the_log_of_each_person_in_the_file(city: City, fmt: str) -> None:
    trace_id = city.run().rsplit("/", 1)[1]
    response = city.client.get(f"/api/v1/traces/{trace_id}/export.{fmt}", headers=city.tracer)
    assert response.status_code == 200
    assert city.whats("K") == [EXPORT, RUN]
    assert city.whats("C") == [EXPORT, RUN]  # the case is in the venue rows


def test_the_chain_graph_is_in_the_log_of_each_person_it_names(city: City) -> None:
    url = city.run()
    assert city.client.get(url + "/graph.json", headers=city.tracer).status_code == 200
    assert city.whats("K") == [GRAPH, RUN]
    # Narrowed to close contacts: G is not in it.
    assert city.client.get(url + "/graph.json?tier=close", headers=city.tracer).status_code == 200
    assert city.whats("K").count(GRAPH) == 2 and city.whats("G").count(GRAPH) == 1


def test_showing_a_phone_is_in_the_persons_log_and_throttled_per_tracer(
        city: City, db: Session, settings: Settings) -> None:
    url = city.run()
    shown = city.client.post(f"{url}/persons/{city.p['K']}/phone", headers=city.tracer)
    assert shown.status_code == 200 and shown.json()["phone"] == "13911112222"
    entry = city.log("K")[0]
    assert entry["what"] == REVEAL and entry["reason"].startswith("流调 #")
    assert city.whats("G") == [RUN]  # one person a reveal
    for _ in range(59):
        assert city.client.post(f"{url}/persons/{city.p['G']}/phone",
                                headers=city.tracer).status_code == 200
    refused = city.client.post(f"{url}/persons/{city.p['K']}/phone", headers=city.tracer)
    assert refused.status_code == 429
    error = refused.json()["error"]  # the page's script shows this message in the cell
    assert error["code"] == "reveal_too_frequent" and "显示电话过于频繁" in error["message"]
    assert city.whats("K").count(REVEAL) == 1  # a refused reveal shows nothing, so no entry
    # The limit is the tracer's: another tracer still may.
    other = factories.user(db, Role.TRACER)
    db.commit()
    headers = sign_in(city.client, settings, other.phone, factories.PASSWORD)
    assert city.client.post(f"{url}/persons/{city.p['K']}/phone", headers=headers).status_code == 200


def test_a_push_that_changed_the_code_and_a_lift_are_in_the_persons_log(
        city: City, db: Session, settings: Settings) -> None:
    url = city.run()
    trace_id = int(url.rsplit("/", 1)[1])
    tiers = list(tiers_of(db.get_one(Trace, trace_id).result()))
    assert city.client.post(f"{url}/actions", headers=city.tracer,
                            data={"note": "赋码", "tiers": tiers},
                            follow_redirects=False).status_code == 303
    boss = factories.user(db, Role.TRACING_SUPERVISOR)
    db.commit()
    supervisor = sign_in(city.client, settings, boss.phone, factories.PASSWORD)
    action_id = db.scalars(select(TraceAction.id).where(TraceAction.trace_id == trace_id)).one()
    approved = city.client.post(f"/tracing/actions/{action_id}/approve", headers=supervisor,
                                follow_redirects=False)
    assert approved.status_code == 303
    assert city.whats("K")[0] == PUSH and city.log("K")[0]["role_name"] == "流调组长"
    assert city.whats("G")[0] == PUSH  # yellow: a change too
    assert PUSH not in city.whats("C")  # cases are not pushed
    lifted = city.client.post(f"/tracing/traces/{trace_id}/persons/{city.p['K']}/lift",
                              headers=supervisor, data={"reason": "隔离期满"}, follow_redirects=False)
    assert lifted.status_code == 303
    assert city.whats("K")[0] == LIFT and city.log("K")[0]["reason"] == "隔离期满"


def test_the_lists_of_cases_and_traces_are_in_the_cases_log(city: City) -> None:
    assert city.client.get("/tracing", headers=city.tracer).status_code == 200
    assert city.whats("C") == [LISTED]  # the case registry shows C's full id number
    city.run()
    assert city.client.get("/api/v1/traces", headers=city.tracer).status_code == 200
    assert city.whats("C") == [LISTED, RUN, LISTED]
    assert LISTED not in city.whats("K")  # contacts are not in the lists


def test_downloading_rejects_is_in_the_log_of_each_person_in_the_file(
        city: City, db: Session, settings: Settings) -> None:
    summary = push(db, "checkins", [
        {"id_number": city.p["K"], "venue_id": "NO-SUCH-VENUE", "scanned_at": "2022-04-18 10:00:00"},
        {"id_number": "12345", "venue_id": "NO-SUCH-VENUE", "scanned_at": "2022-04-18 10:00:00"},
    ], source="test", actor=Actor.system())
    db.commit()
    assert summary.rejected == 2
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    headers = sign_in(city.client, settings, admin.phone, factories.PASSWORD)
    response = city.client.get(f"/admin/ingest/batches/{summary.batch_id}/rejects.csv",
                               headers=headers)
    assert response.status_code == 200 and city.p["K"] in response.text
    entry = city.log("K")[0]
    assert entry["what"] == REJECTS and entry["role_name"] == "系统管理员"
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.INGEST_REJECTS_DOWNLOADED.value)).one()
    assert event.subject_type == "ingest_batch" and event.subject_id == str(summary.batch_id)
    assert event.reason == "1 条记录无有效身份证号码"


def test_every_action_a_citizen_sees_has_chinese_words() -> None:
    from venuecode.web.i18n import translations

    zh = translations("zh")
    for action, words in ACTION_WORDS.items():
        assert zh.gettext(words) != words, action
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.gettext(words)), action
