"""/api/docs renders in a browser that can reach nothing but our server (an intranet)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_with_every_other_host_blocked(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    elsewhere: list[str] = []

    def only_ours(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "venuecode" in page.inner_text(".swagger-ui .info .title")
    # The operations are listed, so the spec loaded too.
    page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/venues"]', timeout=15_000)
    screenshot(page, "api-docs")
    assert elsewhere == []
