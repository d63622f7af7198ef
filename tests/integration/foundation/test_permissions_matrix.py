"""Role × route: every route of the app has a rule (tests/support/permissions.py), and every
principal gets what the rule says: refused ones 401/403 (or 404 where the code hides the
object), allowed ones neither, and nobody a 500.

One app and one set of accounts for the module; each call is made with minimal parameters
and the path filled with objects of another owner, so that the check behind the role is
the one answering."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount, Route

from tests.conftest import CSRF_TEST_TOKEN
from tests.support import factories
from tests.support.permissions import RULES, Principal, Rule, allowed
from venuecode import clock
from venuecode.access.roles import Permission, Role
from venuecode.assist.deps import paper_key
from venuecode.assist.paper_codes import issue_paper_code, sign_paper_token
from venuecode.audit.service import Actor
from venuecode.config import Settings, set_settings
from venuecode.people.auth import issue_token
from venuecode.people.models import User
from venuecode.venues.service import venue_token
from venuecode.web.security import CSRF_COOKIE, CSRF_HEADER

VENUE_DISTRICT = "西湖区"
PRINCIPALS = [
    Principal("anonymous", None),
    Principal("citizen with identity", Role.CITIZEN, bound=True),
    Principal("citizen without identity", Role.CITIZEN),
    Principal("venue manager of another venue", Role.VENUE_MANAGER),
    Principal("the venue's manager", Role.VENUE_MANAGER, owns_venue=True),
    Principal("district admin of the venue's district", Role.DISTRICT_ADMIN, VENUE_DISTRICT),
    Principal("district admin of another district", Role.DISTRICT_ADMIN, "上城区"),
    Principal("tracer", Role.TRACER),
    Principal("tracing supervisor", Role.TRACING_SUPERVISOR),
    Principal("system admin", Role.SYSTEM_ADMIN),
]


# Minimal valid requests where the handler checks the caller after reading the body, and
# query parameters the scoped routes need; everything else is sent empty.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/api/v1/auth/password"): {"json": {"password": "x"}},
    ("POST", "/api/v1/scans"): {"json": {"venue_code": "x"}},
    ("POST", "/api/v1/ingest/{kind}"): {"json": {"records": []}},
    ("POST", "/api/v1/sentinel/{venue_id}/checkins"): {"json": {"checkins": []}},
    ("POST", "/api/v1/sentinel/{venue_id}/scan"): {"data": {"method": "qr"}},
    ("POST", "/api/v1/venues/{venue_id}/gate-devices"): {"json": {"label": "东门"}},
    ("POST", "/manage/venues/{venue_id}/gate-devices"): {"data": {"label": "西门"}},
    ("PUT", "/api/v1/venues/{venue_id}/application"): {"json": {
        "name": "文三路农贸市场", "category": "market", "district": VENUE_DISTRICT,
        "manager_name": "李四", "manager_phone": "13800000002"}},
}
QUERIES = {"/api/v1/district/volumes": "?district=" + VENUE_DISTRICT,
           "/admin/district": "?district=" + VENUE_DISTRICT}
PAPER_TOKEN_ROUTES = {"/api/v1/assist/paper-codes/{token}", "/h/{token}"}


def app_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path template) for every route; static file mounts are not routes."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            continue
        assert isinstance(route, APIRoute | Route), route
        for method in sorted(route.methods or ()):
            yield method, str(context.path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, database_url: str,
          engine: Engine) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], dict[str, str]]]:
    from venuecode.web.app import create_app

    tmp: Path = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        _env_file=None,
        environment="test", database_url=database_url, data_dir=tmp / "data",
        public_url="http://testserver",
        secret_key="test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        code_signing_key="test-code-key-0123456789abcdefghijklmnopqrstuvwxyz",
        sms_backend="file", sms_file=tmp / "sms.jsonl", redis_url=None,
    )
    set_settings(settings)
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, expire_on_commit=False,
                           join_transaction_mode="create_savepoint")
    session: Session = factory()
    owner = factories.user(session, Role.VENUE_MANAGER)
    venue = factories.venue(session, manager=owner, district=VENUE_DISTRICT)
    headers: dict[str, dict[str, str]] = {}
    users: dict[str, User] = {}
    for who in PRINCIPALS:
        if who.role is None:
            headers[who.name] = {}
            continue
        user = owner if who.owns_venue else factories.user(session, who.role, who.district)
        if who.bound:
            user.id_number, user.real_name = factories.id_number(), "王五"
        session.flush()
        users[who.name] = user
        headers[who.name] = bearer(settings, user)
    target = factories.user(session, Role.CITIZEN)  # what the account routes act on
    helper = factories.user(session, Role.CITIZEN)
    paper = issue_paper_code(session, Actor.cli(), helper.id, factories.id_number(), clock.now())
    app = create_app(settings, engine=engine, factory=factory)
    signer = app.state.venuecode.signer
    params = {
        "venue_id": venue.venue_id, "token": venue_token(signer, venue) or "",
        "fmt": "png", "name": "cytoscape.min.js", "kind": "health_codes",
        "batch_id": "999999", "trace_id": "999999", "action_id": "999999", "device_id": "999999",
        "key_id": "999999",
        "user_id": str(target.id),
        "id_number": factories.id_number(), "action": "approve",
        "paper_token": sign_paper_token(paper_key(app.state.venuecode), paper.id, paper.issue),
    }
    session.commit()

    def reissue(name: str) -> None:
        """A new token for the principal, after a route spent its old one (sign-out)."""
        user = users[name]
        session.refresh(user)
        headers[name] = bearer(settings, user)

    with TestClient(app, raise_server_exceptions=False) as client:
        # As a browser on one of our pages: forms carry the CSRF token (test_csrf.py checks
        # the refusals without it), so this test sees the permission rules alone.
        client.cookies.set(CSRF_COOKIE, CSRF_TEST_TOKEN)
        client.headers[CSRF_HEADER] = CSRF_TEST_TOKEN
        yield client, headers, params, reissue
    session.close()
    outer.rollback()
    connection.close()
    set_settings(None)


def test_every_route_has_a_rule_and_every_rule_a_route(world) -> None:  # type: ignore[no-untyped-def]
    client, _, _, _ = world
    found = set(app_routes(client.app))
    assert len(found) > 80  # the walk saw the app, not an empty list
    missing = sorted(found - RULES.keys())
    stale = sorted(RULES.keys() - found)
    assert not missing, f"routes without a rule in tests/support/permissions.py: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def _required_permissions(route: APIRoute) -> set[Permission]:
    """The permissions `web.deps.require` checks on the route (read from its closure)."""
    found: set[Permission] = set()

    def walk(dependant) -> None:  # type: ignore[no-untyped-def]
        for sub in dependant.dependencies:
            walk(sub)
        for cell in inspect.getclosurevars(dependant.call).nonlocals.values() \
                if inspect.isfunction(dependant.call) else ():
            if isinstance(cell, Permission):
                found.add(cell)

    walk(route.dependant)
    return found


def test_rules_agree_with_the_permission_the_route_requires(world) -> None:  # type: ignore[no-untyped-def]
    client, _, _, _ = world
    disagree = []
    for context in iter_route_contexts(client.app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        required = _required_permissions(route)
        for method in route.methods or ():
            rule = RULES.get((method, str(context.path)))
            if rule is None:
                continue  # the test above names it
            if required and (rule.permission not in required):
                disagree.append(f"{method} {context.path}: code requires {required}, rule says {rule}")
    assert not disagree, "\n".join(disagree)


def _refused(status: int, location: str, rule: Rule) -> bool:
    return (status in (401, 403) or (status == 303 and location.startswith("/login"))
            or (rule.hides and status == 404))


def bearer(settings: Settings, user: User) -> dict[str, str]:
    token = issue_token(settings.secret("secret_key"), user,
                        second_factor=user.password_hash is not None)
    return {"Authorization": f"Bearer {token}"}


# Routes that revoke the caller's token: the principal gets a new one after each call.
TOKEN_SPENDING = {"/api/v1/auth/logout", "/api/v1/auth/logout-all", "/logout", "/logout-all"}


def test_each_principal_gets_what_the_rule_says(world) -> None:  # type: ignore[no-untyped-def]
    client, headers, params, reissue = world
    wrong = []
    calls = 0
    for method, path in sorted(app_routes(client.app)):
        rule = RULES[(method, path)]
        fill = dict(params, token=params["paper_token"]) if path in PAPER_TOKEN_ROUTES else params
        url = path.format(**fill) + QUERIES.get(path, "")
        for who in PRINCIPALS:
            body = BODIES.get((method, path), {"json": {}} if method in ("POST", "PUT") else {})
            response = client.request(method, url, headers=headers[who.name],
                                      follow_redirects=False, **body)
            calls += 1
            if path in TOKEN_SPENDING and who.role is not None:
                reissue(who.name)
            status, location = response.status_code, response.headers.get("location", "")
            refused = _refused(status, location, rule)
            if status >= 500:
                wrong.append(f"{method} {url} as {who.name}: {status} {response.text[:200]}")
            elif allowed(rule, who, VENUE_DISTRICT) and refused:
                wrong.append(f"{method} {url} as {who.name}: refused ({status}) but allowed")
            elif not allowed(rule, who, VENUE_DISTRICT) and not refused:
                wrong.append(f"{method} {url} as {who.name}: {status}, should be refused")
    assert calls > 800
    assert not wrong, f"{len(wrong)} of {calls} calls:\n" + "\n".join(wrong)
