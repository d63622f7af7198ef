"""Every HTML page of every role fits a 390-px phone and a desktop without sideways
scrolling (issue 12, build item 3).

The pages are the app's own GET routes that answer HTML (enumerated from its router, so a
new page is measured without editing this file), kept for each role when the rule table
(tests/support/permissions.py) lets that role open them; path parameters are filled with
objects arranged here: a venue of the manager's with a long name and sub-areas, today's
entries with long and short names, a pushed trace, a paper code. Each page is measured at
390×844 (device scale 3) and 1280×800:

- `document.documentElement.scrollWidth <= window.innerWidth`;
- no visible element reaches past the viewport unless it is inside a box of its own that
  scrolls or clips (a table's `.table-scroll` wrapper), and `<body>` is no such box;
- no text is squeezed to a few characters per line (the entries page did that to names),
  and no short word (a status, a name) is broken over two lines.

A screenshot of each page at each size is kept in VENUECODE_TEST_ARTIFACTS, and the widths
in `phone-layout.json` there."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts

from tests.e2e.conftest import ARTIFACTS, LiveServer, live_session
from tests.support import facts as f
from tests.support.permissions import RULES, Principal, allowed
from venuecode.access.roles import Role
from venuecode.audit.service import Actor
from venuecode.demo import DEMO_PASSWORD
from venuecode.facts.models import CaseRecord, CitizenCardRecord
from venuecode.people.idnumber import make_id_number
from venuecode.people.service import create_user
from venuecode.scans.models import Checkin, DeniedAttempt
from venuecode.scans.succession import relink_all
from venuecode.venues.models import Venue
from venuecode.venues.schemas import VenueApplication
from venuecode.venues.service import apply_for_venue, approve_venue

pytestmark = pytest.mark.browser

DISTRICT = "西湖区"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class Who:
    """A role as the rule table sees it, and the account that signs in for it."""

    principal: Principal
    phone: str | None = None  # None: anonymous
    password: str | None = None

    @property
    def slug(self) -> str:
        return self.principal.role.value if self.principal.role else "anonymous"


WHO = [
    Who(Principal("anonymous", None)),
    Who(Principal("citizen", Role.CITIZEN, bound=True), "13666700101"),
    Who(Principal("venue manager", Role.VENUE_MANAGER, owns_venue=True), "13666700102"),
    Who(Principal("district admin", Role.DISTRICT_ADMIN, DISTRICT), "13666700103", DEMO_PASSWORD),
    Who(Principal("tracer", Role.TRACER), "13666700104", DEMO_PASSWORD),
    Who(Principal("tracing supervisor", Role.TRACING_SUPERVISOR), "13666700105", DEMO_PASSWORD),
    Who(Principal("system admin", Role.SYSTEM_ADMIN), "13666700106", DEMO_PASSWORD),
]
# Query strings a page needs to show something (a system admin names the district), and
# further states of a page worth measuring (each is one more visit).
QUERIES = {"/admin/district": [f"?district={DISTRICT}"], "/login/code": ["?phone=13666700199"],
           "/admin/venues": ["", "?status=approved"]}
# Names that squeeze a narrow column: a long Uyghur name, a long venue, a one-char surname.
NAMES = ["阿卜杜热合曼·买买提艾力", "欧阳娜娜", "王", "诸葛孔明", "司马相如", "上官婉儿"]
HELPED_CARD = "HZ0000666"  # the citizen help-scans this card's holder (denied: red code)
VENUE_NAME = "杭州市西湖区文三路与学院路交叉口东北角综合农贸市场（临时核酸采样点）"


def html_get_routes(app: Any) -> list[str]:
    """Path templates of the GET routes that answer HTML: `response_class=HTMLResponse`, or
    an endpoint declared to return one (the API docs page)."""
    paths = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
            continue
        declared = getattr(route.response_class, "value", route.response_class)
        returns = inspect.signature(route.endpoint, eval_str=True).return_annotation
        if (isinstance(declared, type) and issubclass(declared, HTMLResponse)) or (
                isinstance(returns, type) and issubclass(returns, HTMLResponse)):
            paths.append(str(context.path))
    return paths


@dataclass
class World:
    server: LiveServer
    routes: list[str]
    params: dict[str, dict[str, str]]  # parameter -> value, per route template ("" = any)
    results: list[dict[str, Any]] = field(default_factory=list)

    def fill(self, template: str) -> list[str]:
        """The template with its parameters filled (once per query of QUERIES); none when
        this test has no object for a parameter."""
        names = re.findall(r"\{(\w+)\}", template)
        values = {**self.params.get("", {}), **self.params.get(template, {})}
        if any(n not in values for n in names):
            return []
        path = template
        for n in names:
            path = path.replace("{" + n + "}", values[n])
        return [path + query for query in QUERIES.get(template, [""])]


def _arrange(server: LiveServer) -> dict[str, dict[str, str]]:
    """Accounts for every role, the manager's venue with today's entries, a case whose
    trace is pushed, a paper code; the path parameters that name them."""
    from venuecode.assist.paper_codes import issue_paper_code
    from venuecode.tracing.actions import approve_push, request_push
    from venuecode.tracing.push_scope import TIER_ZH, PushScope
    from venuecode.tracing.service import TraceRequest, run_trace

    settings = _settings(server)
    engine, db = live_session(server)
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        users = {}
        for who in WHO:
            if who.phone and who.principal.role:
                users[who.principal.role] = create_user(
                    db, Actor.cli(), who.phone, who.principal.role, f"版式 {who.slug}",
                    who.password, who.principal.district)
        # Everyone bound to an identity with a green code: staff scan and help-scan too.
        for n, user in enumerate(users.values()):
            user.id_number = make_id_number("330106", datetime(1961, 3, 9 + n).date(), 601 + n)
            user.real_name = "阿卜杜热合曼·买买提艾力" if user.role == Role.CITIZEN else "欧阳娜娜"
            f.healthy(db, user.id_number, now - timedelta(hours=1))
        citizen = users[Role.CITIZEN]
        manager = users[Role.VENUE_MANAGER]
        venue = apply_for_venue(db, Actor.cli(), VenueApplication(
            name=VENUE_NAME, category="market", district=DISTRICT,
            address="文三路与学院路交叉口东北角 188 号（近地铁 2 号线文三路站 C 口）",
            manager_name="李四", manager_phone=manager.phone,
            sub_areas=["一号门（东侧临时通道）", "二号门", "地下停车场 B2 电梯厅"]), manager.id)
        approve_venue(db, Actor.cli(), venue, None)
        db.flush()
        areas = [a.id for a in venue.sub_areas]
        # Today's entries, passed and denied, with names of every length.
        case = make_id_number("330106", datetime(1970, 7, 7).date(), 602)
        people = [make_id_number("330106", datetime(1980 + i, 1 + i, 1 + i).date(), 620 + i)
                  for i in range(len(NAMES))]
        for i, (number, name) in enumerate(zip(people, NAMES, strict=True)):
            # Names of accounts, not of the population registry: a registry row would end
            # the demo's open registry for the tests that bind an identity after this one.
            person = create_user(db, Actor.cli(), f"1366670{200 + i:04d}", Role.CITIZEN, name)
            person.id_number, person.real_name = number, name
            db.add(Checkin(id_number=number, venue_pk=venue.id, channel="scan",
                           sub_area_pk=areas[i % len(areas)],
                           scanned_at=now - timedelta(minutes=5 + i)))
            # Two days ago with the case, for the trace.
            db.add(Checkin(id_number=number, venue_pk=venue.id, channel="scan",
                           scanned_at=now - timedelta(days=2, minutes=-i),
                           checked_out_at=now - timedelta(days=2, minutes=-i - 40)))
            if i % 2:
                db.add(DeniedAttempt(id_number=number, venue_pk=venue.id,
                                     attempted_at=now - timedelta(minutes=2 + i),
                                     reasons="health_code_red,tracing_close,test_expired",
                                     health_color="red", channel="scan"))
        db.add(Checkin(id_number=case, venue_pk=venue.id, channel="scan",
                       scanned_at=now - timedelta(days=2, minutes=10),
                       checked_out_at=now - timedelta(days=2, minutes=-60)))
        db.add(CaseRecord(id_number=case, reference_time=now - timedelta(days=1),
                          isolated_at=now - timedelta(hours=20), kind="asymptomatic",
                          source="e2e", batch_id=None, received_at=now))
        db.flush()
        relink_all(db.connection())
        reason = "本土无症状感染者 1 例，文三路综合农贸市场关联流调（版式检查，含较长的说明文字）"
        pushed = run_trace(db, settings, Actor.cli(), None, TraceRequest([case], reason=reason))
        everyone = PushScope(tuple(TIER_ZH))
        action = request_push(db, Actor.cli(), None, pushed, everyone,
                              "请尽快批准：涉及农贸市场早市人员")
        supervisor = users[Role.TRACING_SUPERVISOR]
        approve_push(db, settings, Actor(f"user:{supervisor.id}", supervisor.role), supervisor.id,
                     action.id)
        waiting = run_trace(db, settings, Actor.cli(), None, TraceRequest([case], reason=reason))
        request_push(db, Actor.cli(), None, waiting, everyone, "第二轮")
        paper = issue_paper_code(db, Actor.cli(), citizen.id, people[0], now)
        db.add(CitizenCardRecord(card_number=HELPED_CARD, id_number=people[1], source="e2e",
                                 batch_id=None, received_at=now))
        db.commit()
        return {"": {"venue_id": venue.venue_id, "trace_id": str(pushed.id),
                     "user_id": str(users[Role.TRACER].id)},  # a staff account
                "paper": {"code_id": str(paper.id), "issue": str(paper.issue)}}
    finally:
        db.close()
        engine.dispose()


def _settings(server: LiveServer) -> Any:
    """The live server's settings (same database, data folder and keys)."""
    from venuecode.config import Settings

    with pytest.MonkeyPatch.context() as mp:
        for key, value in server.env.items():
            if key.startswith("VENUECODE_"):
                mp.setenv(key, value)
        return Settings(_env_file=None)


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> Iterator[World]:
    from venuecode.assist.deps import paper_key
    from venuecode.assist.paper_codes import sign_paper_token
    from venuecode.venues.service import venue_token
    from venuecode.web.app import create_app

    params = _arrange(live_server)
    app = create_app(_settings(live_server))
    state = app.state.venuecode
    engine, db = live_session(live_server)
    try:
        venue = db.query(Venue).filter(Venue.venue_id == params[""]["venue_id"]).one()
        venue_code = venue_token(state.signer, venue) or ""
    finally:
        db.close()
        engine.dispose()
    paper = params.pop("paper")
    paper_token = sign_paper_token(paper_key(state), int(paper["code_id"]), int(paper["issue"]))
    params[""]["token"] = venue_code
    params["/h/{token}"] = {"token": paper_token}
    state.engine.dispose()
    w = World(live_server, html_get_routes(app), params)
    yield w
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "phone-layout.json").write_text(
        json.dumps(w.results, ensure_ascii=False, indent=1), "utf-8")


# What sticks out: the page's own width, elements past the viewport outside a box of their
# own that scrolls or clips (html and body do not count), and text a few characters per line.
MEASURE = """() => {
  // Decorations that spin (the stamp's ring) are measured, and drawn, at rest.
  for (const a of document.getAnimations()) { a.pause(); a.currentTime = 0; }
  const vw = window.innerWidth;
  const page = document.documentElement;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const boxed = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== page; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.right <= vw + 0.5 && r.left >= -0.5)) continue;
    if (getComputedStyle(el).visibility === "hidden" || boxed(el)) continue;
    wide.push(name(el) + " " + Math.round(r.left) + ".." + Math.round(r.right) + " «" +
              (el.textContent || "").trim().slice(0, 30) + "»");
  }
  const squeezed = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, "");
    if (text.length < 2) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                         .map((r) => Math.round(r.top)));
    // A few characters a line over three lines, or a short word (a status, a name) broken.
    const word = !/\\s/.test(node.textContent.trim()) && text.length <= 6;
    if ((tops.size >= 3 && text.length / tops.size < 4) || (word && tops.size >= 2)) {
      squeezed.push(name(node.parentElement) + " «" + text.slice(0, 20) + "» " + tops.size + " lines");
    }
  }
  return {scrollWidth: page.scrollWidth, innerWidth: vw, wide: wide.slice(0, 8),
          squeezed: squeezed.slice(0, 8)};
}"""


def sign_in(page: Any, server: LiveServer, who: Who) -> None:
    assert who.phone is not None
    page.goto(f"{server.url}/login?next=/")
    page.fill("#phone", who.phone)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("#code", server.sms_code(who.phone))
    page.click("button[type=submit]")
    if who.password is not None:
        page.wait_for_url("**/login/password**")
        page.fill("#password", who.password)
        page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")


def measure(page: Any, world: World, who: Who, label: str, size: str) -> list[str]:
    """Measure the page as it stands; keep its screenshot and widths; what is wrong."""
    m = page.evaluate(MEASURE)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") or "home"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{who.slug}-{slug}-{size}.png"), full_page=True,
                    scale="css")
    world.results.append({"role": who.slug, "page": label, "size": size,
                          "url": page.url.replace(world.server.url, ""), **m})
    problems = []
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"page {m['scrollWidth']} px wide in {m['innerWidth']}")
    problems += [f"sticks out: {w}" for w in m["wide"]]
    problems += [f"a few characters per line: {s}" for s in m["squeezed"]]
    return [f"{who.slug} {label} ({size}): {p}" for p in problems]


def pages_for(world: World, who: Who) -> list[tuple[str, str]]:
    """The pages `who` may open. Public pages other than home look the same to everyone:
    measured once, for the anonymous visitor."""
    paths = []
    for template in world.routes:
        rule = RULES.get(("GET", template))
        if rule is None or not allowed(rule, who.principal, DISTRICT):
            continue  # no rule: the permission matrix test names the route
        if who.phone is not None and rule.kind == "public" and template != "/":
            continue
        paths += [(template + path[len(path.split("?")[0]):], path)
                  for path in world.fill(template)]
    return paths


def help_scan_by_card(page: Any, world: World) -> None:
    """A help-scan of someone whose code the trace turned red: the stacked result page."""
    page.goto(world.server.url + world.fill("/help/{token}")[0])
    leaf = page.locator("label[for=way-card_number]")  # the four ways are four choices
    if leaf.count():
        leaf.click()
    with page.expect_navigation():
        page.locator("input[name=card_number]").fill(HELPED_CARD)
        page.locator("input[name=card_number]").press("Enter")


def upload_with_rejects(page: Any, world: World) -> None:
    """An import whose result lists refused rows (the result page has a table too)."""
    server = world.server
    rows = ["card_number,id_number",
            f"HZ0000650,{make_id_number('330106', datetime(1990, 1, 1).date(), 650)}",
            "HZ0000651,330106XXXXXXXXXXXX", ",",
            f"{'HZ' * 20},{make_id_number('330106', datetime(1991, 2, 2).date(), 651)}"]
    page.goto(f"{server.url}/admin/ingest")
    page.select_option("#kind", "citizen_cards")
    page.fill("#source", "杭州市卫生健康委员会信息中心（人口库同步）")
    page.set_input_files("#file", files=[{"name": "市民卡-版式检查.csv", "mimeType": "text/csv",
                                           "buffer": "\n".join(rows).encode()}])
    page.click("form button[type=submit]")
    page.wait_for_selector("#summary")


@pytest.mark.parametrize("who", WHO, ids=[w.slug for w in WHO])
def test_every_page_of_the_role_fits_a_phone_and_a_desktop(browser: Any, world: World,
                                                           who: Who) -> None:
    paths = pages_for(world, who)
    assert paths, who
    problems: list[str] = []
    # One context at the phone's device scale; each page is loaded once at the phone's
    # size and measured there, then at the desk's (the window widened).
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, locale="zh-CN")
    page = context.new_page()
    sizes = [("phone", PHONE), ("desk", DESK)]
    try:
        if who.phone is not None:
            sign_in(page, world.server, who)
        # Pages that are the answer to a form: an import, a help-scan.
        after_forms = {Role.SYSTEM_ADMIN: ("/admin/ingest (result)", upload_with_rejects),
                       Role.CITIZEN: ("/help/{token} (helped)", help_scan_by_card)}
        if who.principal.role in after_forms:
            label, fill_in = after_forms[who.principal.role]
            fill_in(page, world)
            for size, viewport in sizes:
                page.set_viewport_size(viewport)
                problems += measure(page, world, who, label, size)
            sizes.reverse()
        for template, path in paths:
            # Loaded on the phone as a phone would (a graph sized at load stays that size),
            # then the window widened to the desk.
            sizes = [("phone", PHONE), ("desk", DESK)]
            page.set_viewport_size(PHONE)
            response = page.goto(world.server.url + path)
            if response is None or response.status >= 400:
                problems.append(f"{who.slug} {path}: answered "
                                f"{response.status if response else 'nothing'}")
            page.wait_for_load_state("networkidle")
            for size, viewport in sizes:
                page.set_viewport_size(viewport)
                problems += measure(page, world, who, template, size)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
