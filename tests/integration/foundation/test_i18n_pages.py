"""Every page for every role, in Chinese and in English: nothing untranslated.

One city with realistic data (a denied and an admitted citizen, venues in each state, a
trace with a push waiting, an import with refused rows, a paper code); then every GET
route of the app (walked as the permission matrix walks them) is opened by each
principal in both languages, and so are the pages a form post answers with (a scan's
verdict, a form with bad values) and the JSON the history and entries pages draw. A
Chinese page may show no English word or code, an English page no Chinese, beyond the
data itself (tests/support/i18n_pages.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from tests.integration.tracing.test_pages import DAY, visit
from tests.support import factories
from tests.support import facts as f
from tests.support.i18n_pages import untranslated, visible, without
from venuecode.access.roles import Role
from venuecode.assist.deps import paper_key
from venuecode.assist.paper_codes import issue_paper_code, sign_paper_token
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.facts.models import CaseRecord, ContactMark
from venuecode.people.auth import issue_token
from venuecode.people.models import Person, User
from venuecode.scans.models import Checkin
from venuecode.scans.succession import relink_all
from venuecode.venues.service import reject_venue, venue_token

DISTRICT = "西湖区"
HTML = {"accept": "text/html"}
# What the seeded data says, shown as given in either language.
DATA = ["文三路农贸市场", "西溪印象城", "杭州东站候车室", "黄龙体育中心", "文三路 188 号", "李四",
        DISTRICT, "王五", "王密接", "王*接", "李*", "公安人口库", "疾控中心", "病例 1 流调", "信息不全",
        "persons.csv", "HZ-T-MARKET", "HZ-T-MALL", "HZ-T-APPLIED", "HZ-T-REJECTED"]
# Not pages: machine endpoints, files, images.
NOT_PAGES = ("/api/", "/static/", "/openapi.json", "/healthz", "/readyz", "/metrics",
             "/.well-known/")  # the proof keys: JSON for devices
NOT_HTML = {"/admin/ingest/batches/{batch_id}/rejects.csv", "/tracing/traces/{trace_id}/graph.json",
            "/admin/console/audit.csv"}
# Pages about an object in one state: the rejected application is the one to correct.
PATH_PARAMS = {"/manage/venues/{venue_id}/edit": {"venue_id": "HZ-T-REJECTED"}}
LOCALES = ("zh", "en")
QUERIES = {"/admin/district": "?district=" + DISTRICT, "/login/code": "?phone=13800000000"}


def get_routes(app: FastAPI) -> list[str]:
    paths = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount) or not isinstance(route, APIRoute | Route):
            continue
        path = str(context.path)
        if "GET" in (route.methods or ()) and not path.startswith(NOT_PAGES) \
                and path not in NOT_HTML:
            paths.append(path)
    return sorted(set(paths))


def bearer(settings: Settings, user: User) -> dict[str, str]:
    token = issue_token(settings.secret("secret_key"), user,
                        second_factor=user.password_hash is not None)
    return {"Authorization": f"Bearer {token}"}


class City:
    """The seeded world: who signs in, and what fills the routes' parameters."""

    def __init__(self, client: TestClient, settings: Settings, db: Session,
                 clock: FixedClock) -> None:
        self.client, self.settings, self.db = client, settings, db
        p = {k: factories.id_number(n) for k, n in (("C", 901), ("K", 902), ("G", 903),
                                                    ("S", 904), ("A", 905))}
        self.ids = p
        owner = factories.user(db, Role.VENUE_MANAGER)
        owner.id_number, owner.real_name = factories.id_number(906), "李四"  # may help-scan
        market = factories.venue(db, manager=owner, venue_id="HZ-T-MARKET",
                                 name="文三路农贸市场", district=DISTRICT)
        mall = factories.venue(db, manager=owner, venue_id="HZ-T-MALL", name="西溪印象城",
                               category="mall", district=DISTRICT)
        factories.venue(db, approved=False, manager=owner, venue_id="HZ-T-APPLIED",
                        name="杭州东站候车室", district=DISTRICT, category="railway")
        rejected = factories.venue(db, approved=False, manager=owner,
                                   venue_id="HZ-T-REJECTED", name="黄龙体育中心",
                                   district=DISTRICT, category="gym")
        reject_venue(db, Actor.cli(), rejected, "信息不全", None)
        # The trace's people (tracing/test_pages.py): case C, close K, general G, secondary S.
        visit(db, market.id, p["C"], "10:00", "10:40")
        visit(db, market.id, p["K"], "10:05", "10:35")
        visit(db, market.id, p["G"], "10:35", "10:50")
        visit(db, mall.id, p["K"], "15:00", "15:30")
        visit(db, mall.id, p["S"], "15:00", "15:40")
        f.case(db, p["C"], DAY + timedelta(days=1, hours=12))
        db.add(CaseRecord(id_number=p["A"], reference_time=DAY, isolated_at=DAY,
                          kind="asymptomatic", received_at=DAY, **f.PROV))
        db.add(Person(id_number=p["K"], name="王密接", phone="13911112222", source="test",
                      batch_id=None, received_at=DAY))
        db.flush()
        relink_all(db.connection())
        # K is the citizen signing in: a red code and a close-contact mark deny them.
        citizen = factories.user(db, Role.CITIZEN)
        citizen.id_number, citizen.real_name = p["K"], "王密接"
        f.health_code(db, p["K"], "red", clock.now() - timedelta(days=1))
        db.add(ContactMark(id_number=p["K"], kind="close", since=clock.now() - timedelta(days=1),
                           instruction=None, trace_id=None))
        f.healthy(db, p["G"], clock.now())
        db.add(Checkin(id_number=p["K"], venue_pk=mall.id, channel="help",
                       scanned_at=clock.now() - timedelta(hours=3)))
        self.users = {
            "anonymous": None,
            "citizen": citizen,
            "venue manager": owner,
            "district admin": factories.user(db, Role.DISTRICT_ADMIN, DISTRICT),
            "tracer": factories.user(db, Role.TRACER),
            "tracing supervisor": factories.user(db, Role.TRACING_SUPERVISOR),
            "system admin": factories.user(db, Role.SYSTEM_ADMIN),
        }
        paper = issue_paper_code(db, Actor.cli(), citizen.id, p["G"], clock.now())
        db.commit()
        self.headers = {name: bearer(settings, u) if u else {} for name, u in self.users.items()}
        state = client.app.state.venuecode  # type: ignore[attr-defined]
        self.params = {"venue_id": market.venue_id, "token": venue_token(state.signer, market) or "",
                       "paper_token": sign_paper_token(paper_key(state), paper.id, paper.issue)}
        self.params["user_id"] = str(self.users["tracer"].id)  # type: ignore[union-attr]
        self.market = market
        # The district choices, the accounts' names and the settings in force are data too.
        self.data = [*DATA, *settings.districts, "testclient",
                     *(u.display_name for u in self.users.values() if u is not None),
                     *(str(v) for v in settings.model_dump().values() if v is not None)]

    def post(self, who: str, url: str, locale: str, follow: bool = False, **kw: Any) -> Any:
        self.client.cookies.set("lang", locale)  # the language switch's cookie
        return self.client.post(url, headers={**self.headers[who], **HTML},
                                follow_redirects=follow, **kw)

    def get(self, who: str, url: str, locale: str, html: bool = True) -> Any:
        self.client.cookies.set("lang", locale)
        return self.client.get(url, headers={**self.headers[who], **(HTML if html else {})},
                               follow_redirects=False)

    def seed_by_hand(self) -> None:
        """What staff do in the app: a trace with a push request, an import with rejects,
        the citizen's denied scan (each then shows on the pages)."""
        trace = self.post("tracer", "/tracing/traces", "zh", data={
            "cases": self.ids["C"], "reason": "病例 1 流调", "as_of": "", "look_back_days": "4",
            "close_minutes": "15", "depth": "2", "dwell": ""})
        assert trace.status_code == 303, trace.text
        self.params["trace_id"] = trace.headers["location"].rsplit("/", 1)[1]
        push = self.post("tracer", f"/tracing/traces/{self.params['trace_id']}/actions", "zh",
                         data={"tiers": ["close", "secondary", "general"], "note": ""})
        assert push.status_code == 303, push.text
        good, bad = factories.id_number(301), factories.id_number(302)[:17] + "0"
        upload = self.post("system admin", "/admin/ingest", "zh",
                           data={"kind": "persons", "source": "公安人口库"},
                           files={"file": ("persons.csv", io.BytesIO(
                               f"id_number,name,phone\n{good},李四,13800000001\n{bad},王五,\n"
                               .encode()), "text/csv")})
        assert upload.status_code == 200, upload.text
        self.params["batch_id"] = "1"
        denied = self.post("citizen", f"/s/{self.params['token']}", "zh")
        assert denied.status_code == 200 and "verdict-deny" in denied.text


@pytest.fixture
def city(client: TestClient, settings: Settings, db: Session, clock: FixedClock) -> City:
    c = City(client, settings, db, clock)
    c.seed_by_hand()
    return c


def problems_of(text: str, locale: str, data: list[str] = DATA) -> list[str]:
    return untranslated(without(visible(text), data), locale)


def page_problems(city: City) -> Iterator[str]:
    opened: set[str] = set()
    paths = get_routes(city.client.app)  # type: ignore[arg-type]
    for path in paths:
        params = {**city.params, **PATH_PARAMS.get(path, {})}
        url = path.format(**{**params, "token": city.params["paper_token"]}
                          if path == "/h/{token}" else params)
        url += QUERIES.get(path, "")
        for who in city.headers:
            for locale in LOCALES:
                response = city.get(who, url, locale)
                if response.status_code >= 500:
                    yield f"{url} as {who}: {response.status_code}"
                if "text/html" not in response.headers.get("content-type", ""):
                    continue
                if response.status_code == 200:
                    opened.add(path)
                for bad in problems_of(response.text, locale, city.data):
                    yield f"{url} as {who} ({locale}, {response.status_code}): {bad!r}"
    never = sorted(set(paths) - opened)
    if never:
        yield f"pages no principal could open, so unchecked: {never}"


def test_every_page_for_every_role_is_in_its_language(city: City) -> None:
    found = list(page_problems(city))
    assert found == [], f"{len(found)} untranslated:\n" + "\n".join(found)


def test_the_pages_forms_answer_with_are_in_their_language(city: City) -> None:
    found = []
    for locale in LOCALES:
        pages = {
            "denied scan": city.post("citizen", f"/s/{city.params['token']}", locale),
            "bad venue application": city.post("venue manager", "/manage/venues/new", locale, data={
                "name": "文三路农贸市场", "category": "casino", "district": DISTRICT,
                "manager_name": "李四", "manager_phone": "12345", "capacity": "abc"}),
            "bad trace form": city.post("tracer", "/tracing/traces", locale, data={
                "cases": city.ids["C"], "reason": "病例 1 流调", "as_of": "", "look_back_days": "x",
                "close_minutes": "15", "depth": "2", "dwell": "metro=abc"}),
            "help-scan of a denied person": city.post(
                "venue manager", f"/help/{city.params['token']}", locale, follow=True,
                files={"photo": ("", b"")},
                data={"visit": "", "method": "id_typed", "name": "王密接",
                      "id_number": city.ids["K"]}),
            "import summary": city.post("system admin", "/admin/ingest", locale,
                                        data={"kind": "persons", "source": "公安人口库"},
                                        files={"file": ("persons.csv", io.BytesIO(
                                            "id_number,name,phone\n123,王五,\n".encode()),
                                            "text/csv")}),
        }
        helped = pages["help-scan of a denied person"]
        assert 'data-decision="deny"' in helped.text, visible(helped.text)[-600:]
        assert "verdict-deny" in pages["denied scan"].text
        for what, response in pages.items():
            assert response.status_code < 500, (what, response.text)
            found += [f"{what} ({locale}): {bad!r}"
                      for bad in problems_of(response.text, locale, city.data)]
    assert found == []


def test_the_data_the_history_and_entries_pages_draw_is_in_words(city: City) -> None:
    found = []
    for locale in LOCALES:
        def get(who: str, url: str, locale: str = locale) -> Any:
            response = city.get(who, url, locale, html=False)
            assert response.status_code == 200, response.text
            return response.json()

        scans = get("citizen", "/api/v1/me/scans")
        denied = [s for s in scans if s["decision"] == "deny"]
        assert denied and denied[0]["reasons"][:2] == ["health_code_red", "tracing_close"]
        log = get("citizen", "/api/v1/me/access-log")
        assert log, "the trace that lists K is in K's access log"
        entries = get("venue manager", f"/api/v1/venues/{city.market.venue_id}/entries")
        shown = ([n for s in scans for n in s["reason_names"]]
                 + [e[k] for e in log for k in ("what", "role_name")]
                 + [r["color_name"] or "" for r in entries["rows"]]
                 + [n for r in entries["rows"] for n in r["reason_names"]])
        found += [f"{locale}: {bad!r}" for bad in untranslated(without("\n".join(shown), DATA),
                                                               locale)]
        if locale == "zh":
            assert denied[0]["reason_names"][:2] == ["红码", "密接"]
        else:
            assert denied[0]["reason_names"][:2] == ["Red health code", "Close contact"]
    assert found == []


# The walk sees the codes in words: each page shows what the seeded data makes it show.
SHOWN = {
    ("system admin", "/admin/ingest/batches"): {"zh": ["人口库", "已完成", "上传文件"],
                                                "en": ["Population registry", "Finished", "File upload"]},
    ("tracing supervisor", "/tracing"): {"zh": ["确诊病例", "无症状感染者", "待审批"],
                             "en": ["Confirmed case", "Asymptomatic infection", "Waiting for approval"]},
    ("tracer", "/tracing/traces/{trace_id}"): {"zh": ["密接", "次密接", "一般接触"],
                                               "en": ["Close contact", "Secondary contact", "General contact"]},
    ("district admin", "/admin/venues?status=rejected"): {"zh": ["已驳回"], "en": ["Rejected"]},
    ("venue manager", "/manage/venues"): {"zh": ["待审核", "已通过", "已驳回"],
                                          "en": ["Waiting for review", "Approved", "Rejected"]},
}


def test_the_walked_pages_show_the_codes_in_words(city: City) -> None:
    for (who, path), expected in SHOWN.items():
        for locale, texts in expected.items():
            page = visible(city.get(who, path.format(**city.params), locale).text)
            missing = [t for t in texts if t not in page]
            assert missing == [], (who, path, locale, missing)
