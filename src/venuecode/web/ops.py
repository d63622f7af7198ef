"""Operations routes: /readyz for balancers, /metrics for Prometheus; and the middleware.

/healthz (in app.py) is liveness: it does no I/O, so a slow database never gets a process
restarted. /readyz is readiness: 503 while the database, its schema or Redis is not usable
and while the process drains after SIGTERM, so a balancer takes it out of rotation.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from venuecode.config import Settings
from venuecode.errors import PermissionDenied
from venuecode.observability.drain import Drain
from venuecode.observability.metrics import render
from venuecode.observability.middleware import ObservabilityMiddleware
from venuecode.observability.readiness import Readiness
from venuecode.web.state import AppState


def _may_read_metrics(request: Request, settings: Settings) -> bool:
    """With VENUECODE_METRICS_TOKEN: that bearer token. Without: loopback, not via a proxy."""
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        return hmac.compare_digest(request.headers.get("authorization", "").encode(),
                                   expected.encode())
    if "x-forwarded-for" in request.headers or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def install(app: FastAPI, state: AppState) -> None:
    settings = state.settings
    drain = Drain(settings.shutdown_drain_seconds)
    readiness = Readiness(state.engine, settings.redis_url,
                          settings.readiness_timeout_seconds)
    app.add_middleware(ObservabilityMiddleware, drain=drain, access_log=settings.access_log)

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        """200 when this process can serve; 503 with the problems otherwise."""
        problems = {"draining": "shutting down after SIGTERM"} if drain.draining else {}
        problems.update(await readiness.problems())
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not _may_read_metrics(request, settings):
            raise PermissionDenied("metrics_forbidden", "无权读取监控指标。",
                                   "Metrics are readable from this host or with the metrics token.")
        body, content_type = render()
        return Response(body, media_type=content_type)
