"""The flash after an action (web/flash.py, docs/feedback.md): set on the redirect, shown
once by base.html in the reader's language, and nothing but a signed, known key shows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from venuecode.web.flash import FLASH_COOKIE, flash

HTML = {"accept": "text/html"}


def test_signing_out_says_so_once_in_the_readers_language(client: TestClient) -> None:
    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and FLASH_COOKIE in out.headers["set-cookie"]
    home = client.get("/", headers=HTML)
    assert '<p class="flash flash-ok" id="flash" role="status">已退出登录。</p>' in home.text
    assert 'id="flash"' not in client.get("/", headers=HTML).text  # shown once
    client.post("/logout", follow_redirects=False)
    assert "You are signed out." in client.get("/?lang=en", headers=HTML).text


def test_a_forged_or_foreign_cookie_shows_nothing(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    client.cookies.set(FLASH_COOKIE, "garbage")
    assert 'id="flash"' not in client.get("/", headers=HTML).text
    other = URLSafeTimedSerializer("another-secret-" * 4, salt="venuecode.flash")
    client.cookies.set(FLASH_COOKIE, other.dumps({"k": "signed_out", "v": {}}))
    assert 'id="flash"' not in client.get("/", headers=HTML).text
    ours = URLSafeTimedSerializer(app.state.venuecode.secret, salt="venuecode.flash")
    client.cookies.set(FLASH_COOKIE, ours.dumps({"k": "not_a_message", "v": {}}))
    assert 'id="flash"' not in client.get("/", headers=HTML).text
    # A value is escaped like any other text on the page.
    client.cookies.set(FLASH_COOKIE, ours.dumps({"k": "help_added", "v": {"name": "<b>x</b>"}}))
    page = client.get("/", headers=HTML).text
    assert "&lt;b&gt;x&lt;/b&gt; 已登记。" in page and "<b>x</b>" not in page


def test_an_unknown_key_is_a_mistake_found_at_once(app) -> None:  # type: ignore[no-untyped-def]
    request = Request({"type": "http", "app": app, "headers": [], "method": "POST", "path": "/"})
    with pytest.raises(KeyError, match=r"add it to web/flash\.py"):
        flash(request, Response(), "no_such_message")
