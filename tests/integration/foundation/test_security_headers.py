"""Security headers on every response, no-store on personal data (issue 11, finding 12)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import sign_in
from venuecode.config import Settings

HTML = {"accept": "text/html"}


def assert_hardened(response, https: bool = False) -> None:  # type: ignore[no-untyped-def]
    h = response.headers
    csp = h["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert ("strict-transport-security" in h) is https


def test_every_kind_of_response_carries_the_headers(client: TestClient) -> None:
    for path in ("/", "/login", "/api/v1/me", "/no/such/page", "/healthz", "/static/app.css",
                 "/api/docs", "/openapi.json"):
        assert_hardened(client.get(path, headers=HTML))


def test_personal_data_is_never_stored_by_a_cache(client: TestClient, settings: Settings) -> None:
    headers = sign_in(client, settings, "13700000301")
    for path in ("/api/v1/me", "/api/v1/me/scans", "/me/scans", "/", "/login"):
        response = client.get(path, headers={**HTML, **headers})
        assert response.headers["cache-control"] == "no-store", path
    # Files that are the same for everyone may be cached.
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")
    vendor = client.get("/static/vendor/swagger-ui.css")
    assert vendor.headers["cache-control"] == "public, max-age=86400"


def test_https_deployments_get_hsts_and_secure_cookies(
        settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> None:
    from venuecode.web.app import create_app

    https = settings.model_copy(update={"public_url": "https://csm.example.gov.cn"})
    app: FastAPI = create_app(https, engine=engine, factory=session_factory)
    with TestClient(app, base_url="https://csm.example.gov.cn") as browser:
        page = browser.get("/login?lang=zh", headers=HTML)
        assert_hardened(page, https=True)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        cookies = page.headers.get_list("set-cookie")
        csrf = [c for c in cookies if c.startswith("__Host-vc_csrf=")]
        assert csrf and all("secure" in c.lower() for c in cookies), cookies
        assert "httponly" in csrf[0].lower() and "path=/" in csrf[0].lower()
