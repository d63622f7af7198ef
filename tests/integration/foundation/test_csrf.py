"""CSRF: a cookie-driven change needs this site's token and origin (issue 11, finding 12).

These tests use their own TestClient, without the token the shared `client` fixture
carries, as a browser does that never opened one of our pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.scans.test_scan_api import code_of
from tests.support import factories
from tests.support import facts as f
from venuecode.access.roles import Role
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.web.deps import SESSION_COOKIE
from venuecode.web.security import CSRF_COOKIE

HTML = {"accept": "text/html"}
EVIL = "http://evil.example"
HIDDEN = re.compile(r'<input type="hidden" name="csrf_token" value="([A-Za-z0-9_-]{43})">')


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as fresh:
        yield fresh


def signed_in_citizen(browser: TestClient, db: Session, settings: Settings,
                      clock: FixedClock, n: int) -> tuple[str, dict[str, str]]:
    """A bound, healthy citizen whose session is a cookie, and a venue code path."""
    headers = sign_in(browser, settings, f"137000002{n:02d}")
    number = factories.id_number(200 + n)
    assert browser.put("/api/v1/me/identity", json={"id_number": number, "name": "赵七"},
                       headers=headers).status_code == 200
    f.healthy(db, number, clock.now() - timedelta(hours=1))
    browser.cookies.set(SESSION_COOKIE, headers["Authorization"].split()[1])
    return code_of(db, settings).replace("http://testserver", ""), headers


def test_a_forged_cross_site_post_to_the_scan_page_is_refused_in_chinese(
        browser: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    url, headers = signed_in_citizen(browser, db, settings, clock, 1)
    # The attacker's page: its own origin, and no token (it cannot read ours).
    forged = browser.post(url, headers={**HTML, "origin": EVIL})
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert "签到未记录" in forged.text and "重新扫描场所码" in forged.text
    # Without Origin and Referer (an old browser), the missing token still stops it.
    assert browser.post(url, headers=HTML).status_code == 403
    # Even a copied token does not help from another origin.
    page = browser.get(url, headers={**HTML, "sec-fetch-site": "cross-site"})
    token = HIDDEN.search(page.text)
    assert token is not None
    assert browser.post(url, data={"csrf_token": token.group(1)},
                        headers={**HTML, "origin": EVIL}).status_code == 403
    assert browser.get("/api/v1/me/scans", headers=headers).json() == []


def test_the_scan_pages_own_form_is_accepted(
        browser: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    url, headers = signed_in_citizen(browser, db, settings, clock, 2)
    page = browser.get(url, headers={**HTML, "sec-fetch-site": "cross-site"})
    assert "确认在该场所扫码登记" in page.text
    token = HIDDEN.search(page.text)
    assert token is not None and browser.cookies.get(CSRF_COOKIE) == token.group(1)
    confirmed = browser.post(url, data={"csrf_token": token.group(1)},
                             headers={**HTML, "origin": "http://testserver",
                                      "referer": f"http://testserver{url}"})
    assert confirmed.status_code == 200, confirmed.text
    assert "已扫码" in confirmed.text
    assert len(browser.get("/api/v1/me/scans", headers=headers).json()) == 1


def test_api_calls_by_bearer_are_exempt_but_cookie_driven_ones_need_the_header(
        browser: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    url, headers = signed_in_citizen(browser, db, settings, clock, 3)
    venue_code = url.removeprefix("/s/")
    by_app = browser.post("/api/v1/scans", json={"venue_code": venue_code}, headers=headers)
    assert by_app.status_code == 201, by_app.text
    by_cookie = browser.post("/api/v1/scans/exit", json={"venue_code": venue_code})
    assert by_cookie.status_code == 403 and by_cookie.json()["error"]["code"] == "csrf_refused"
    browser.get("/", headers=HTML)  # a page of ours hands out the token
    token = browser.cookies.get(CSRF_COOKIE)
    assert token
    with_header = browser.post("/api/v1/scans/exit", json={"venue_code": venue_code},
                               headers={"x-csrf-token": token})
    assert with_header.status_code != 403, with_header.text
    # Signing in (no session cookie) needs nothing: an app has no token to send.
    browser.cookies.delete(SESSION_COOKIE)
    assert browser.post("/api/v1/auth/sms-code", json={"phone": "13700000299"}
                        ).status_code == 202


def test_a_sign_in_form_from_another_site_is_refused(browser: TestClient) -> None:
    response = browser.post("/login", data={"phone": "13700000298", "next": "/"},
                            headers={**HTML, "origin": EVIL}, follow_redirects=False)
    assert response.status_code == 403 and "操作未执行" in response.text
    page = browser.get("/login", headers=HTML)
    token = HIDDEN.search(page.text)
    assert token is not None
    ok = browser.post("/login", data={"phone": "13700000298", "next": "/",
                                      "csrf_token": token.group(1)},
                      headers={**HTML, "origin": "http://testserver"}, follow_redirects=False)
    assert ok.status_code == 303


def _unsafe_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                yield method, str(context.path)


# Routes authenticated only by a data source's API key or a gate device's key (web/limits.py
# refuses them without one before reading the body), so a cookie never drives them.
KEY_ONLY_ROUTES = {"/api/v1/ingest/{kind}", "/api/v1/sentinel/{venue_id}/scan",
                   "/api/v1/sentinel/{venue_id}/checkins"}


def test_every_cookie_driven_post_without_the_token_is_refused(
        app: FastAPI, browser: TestClient, db: Session, settings: Settings) -> None:
    # Every route, every role's cookie: a route added later is covered without a test of
    # its own, because the check is the app's dependency, not each route's.
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    token = sign_in(browser, settings, admin.phone, factories.PASSWORD)["Authorization"].split()[1]
    browser.cookies.set(SESSION_COOKIE, token)
    browser.cookies.set(CSRF_COOKIE, "k" * 43)
    checked = []
    for method, path in _unsafe_routes(app):
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        response = browser.request(method, concrete, headers=HTML, data={"x": "1"})
        if path in KEY_ONLY_ROUTES:
            # Takes no cookie at all: refused before its body for want of a key.
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            continue
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        if path.startswith("/api/"):
            assert response.json()["error"]["code"] == "csrf_refused", (method, path)
        else:
            assert "操作未执行" in response.text or "签到未记录" in response.text, (method, path)
        checked.append(path)
    assert len(checked) > 25 and "/s/{token}" in checked and "/logout" in checked
