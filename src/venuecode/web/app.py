"""FastAPI app factory."""

from __future__ import annotations

import logging
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import venuecode.models  # noqa: F401 - every table registered before the first query
from venuecode import __version__
from venuecode.access.ratelimit import Limiter
from venuecode.config import Settings, get_settings
from venuecode.db import make_engine, make_sessionmaker
from venuecode.people.sms import sms_sender
from venuecode.proofs.keys import ProofKeys
from venuecode.venues.service import CodeSigner
from venuecode.web import errors, ops, security
from venuecode.web.limits import BodyLimits
from venuecode.web.state import AppState

log = logging.getLogger("venuecode.web")


def build_state(settings: Settings, engine: Engine | None = None,
                factory: sessionmaker[Session] | None = None) -> AppState:
    settings.check_for_start()
    engine = engine or make_engine(settings.database_url)
    signer = CodeSigner.of(settings)
    return AppState(settings=settings, engine=engine,
                    sessionmaker=factory or make_sessionmaker(engine), signer=signer,
                    sms=sms_sender(settings), secret=settings.secret("secret_key"),
                    limiter=Limiter.from_settings(settings.redis_url, settings.redis_prefix),
                    proofs=ProofKeys.from_settings(settings))


def create_app(settings: Settings | None = None, engine: Engine | None = None,
               factory: sessionmaker[Session] | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="venuecode",
        version=__version__,
        description="场所码 platform: venue codes, scan and verify, data interfaces, tracing.",
        docs_url=None,  # /api/docs is web.vendor's: Swagger UI from our own files, no CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.venuecode = build_state(settings, engine, factory)
    errors.install(app)
    app.add_middleware(BodyLimits, state=app.state.venuecode)  # inside ops' middleware: logged
    ops.install(app, app.state.venuecode)  # /readyz, /metrics, logs and metrics middleware
    security.install(app)  # security headers, CSRF check on every route (before the routers)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    from venuecode.web.routers import include_routers

    include_routers(app)
    # After the routers: /static/vendor/* is a route (npm files), the rest is this folder.
    static_dir = resources.files("venuecode.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    return app
