"""Request bodies are limited per route before anything parses them, and the push API and
the upload page refuse a request without credentials before reading its body.

Each test streams its body through `tests.support.asgi.exchange`, which counts the bytes
the app took: the server's answer must come having read at most the limit (or nothing).
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import sign_in
from tests.support import factories
from tests.support.asgi import exchange, repeated
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.ingest.sources import create_key

MB = 1 << 20
CHUNK = 64 << 10
RECORD = b'{"id_number": "110101199001011234", "name": "x", "phone": ""},'
BOUNDARY = "hostile"


def multipart_head(filename: str = "persons.csv") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npersons\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
            "id_number,name,phone\r\n").encode()


def multipart(total: int) -> list[bytes] | object:
    head = multipart_head()
    return iter([head, *repeated(b"110101199001011234,x,\r\n" * 2800, total)])


@pytest.fixture
def make_app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
             ) -> Callable[..., FastAPI]:
    from venuecode.web.app import create_app

    def make(**overrides: int) -> FastAPI:
        for name, value in overrides.items():
            setattr(settings, name, value)
        return create_app(settings, engine=engine, factory=session_factory)
    return make


def push_body(total: int) -> object:
    return iter([b'{"records": [', *repeated(RECORD * 1000, total)])


def test_an_anonymous_push_is_refused_before_its_body_is_read(make_app: Callable[..., FastAPI]
                                                              ) -> None:
    app = make_app()
    for headers in ({}, {"x-api-key": "not-a-key"}, {"authorization": "Bearer "}):
        answer = exchange(app, "POST", "/api/v1/ingest/persons",
                          {"content-type": "application/json", "transfer-encoding": "chunked",
                           **headers}, push_body(16 * MB))  # type: ignore[arg-type]
        assert answer.status == 401
        assert answer.sent == 0  # not one byte of the 16 MB was read
        assert orjson.loads(answer.body)["error"]["code"] == "invalid_api_key"
        assert answer.headers["connection"] == "close"


def test_a_bogus_or_revoked_key_is_refused_before_its_body_is_read(
        make_app: Callable[..., FastAPI], db: Session) -> None:
    """Issue 11: a well-formed key that no source holds passed the shape check, so the
    server read the body up to the push limit (32 MB) before the route said 401. The key
    is now looked up first; the refusal is audited as the route's was."""
    import secrets

    from sqlalchemy import text

    from venuecode.ingest.sources import revoke_key

    _, revoked = create_key(db, "old-registry", ["persons"])
    revoke_key(db, "old-registry")
    db.commit()
    app = make_app()
    bogus = "vc_" + secrets.token_urlsafe(32)
    for headers in ({"x-api-key": bogus}, {"authorization": f"Bearer {bogus}"},
                    {"x-api-key": revoked}):
        answer = exchange(app, "POST", "/api/v1/ingest/persons",
                          {"content-type": "application/json", "transfer-encoding": "chunked",
                           **headers}, push_body(16 * MB))  # type: ignore[arg-type]
        assert answer.status == 401
        assert answer.sent == 0  # not one byte of the 16 MB was read
        assert orjson.loads(answer.body)["error"]["code"] == "invalid_api_key"
        assert answer.headers["connection"] == "close"
    refused = db.execute(text("SELECT count(*) FROM audit_events WHERE action = 'ingest.refused'"
                              " AND actor = 'anonymous'")).scalar_one()
    assert refused == 3


def test_a_push_larger_than_its_limit_is_cut_off_at_the_limit_with_413(
        make_app: Callable[..., FastAPI], db: Session) -> None:
    _, key = create_key(db, "registry", ["persons"])
    db.commit()
    app = make_app(push_max_mb=1)
    answer = exchange(app, "POST", "/api/v1/ingest/persons",
                      {"content-type": "application/json", "transfer-encoding": "chunked",
                       "x-api-key": key}, push_body(64 * MB))  # type: ignore[arg-type]
    assert answer.status == 413
    assert MB < answer.sent <= MB + len(RECORD) * 1000 + 16  # read up to the limit, no further
    error = orjson.loads(answer.body)["error"]
    assert error["code"] == "body_too_large" and error["details"]["limit_bytes"] == MB
    assert "1 MB" in error["message_en"] and "1 MB 的上限" in error["message_zh"]
    # A declared length above the limit is refused before reading anything.
    declared = exchange(app, "POST", "/api/v1/ingest/persons",
                        {"content-type": "application/json", "content-length": str(2 * MB),
                         "x-api-key": key}, push_body(2 * MB))  # type: ignore[arg-type]
    assert (declared.status, declared.sent) == (413, 0)
    # Within the limit the push goes through as before.
    small = exchange(app, "POST", "/api/v1/ingest/persons",
                     {"content-type": "application/json", "x-api-key": key,
                      "content-length": "15"}, [b'{"records": []}'])
    assert small.status == 200, small.body


def test_an_anonymous_multipart_upload_is_refused_before_its_body_is_read(
        make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    for headers, status in (({"accept": "application/json"}, 401), ({"accept": "text/html"}, 303),
                            ({"cookie": "vc_session=forged.token.value"}, 401)):
        answer = exchange(app, "POST", "/admin/ingest",
                          {"content-type": content_type, "transfer-encoding": "chunked",
                           "accept": "application/json", **headers},
                          multipart(64 * MB))  # type: ignore[arg-type]
        assert answer.status == status
        assert answer.sent == 0  # nothing of it written to a temporary file either
    declared = exchange(app, "POST", "/admin/ingest",
                        {"content-type": content_type, "content-length": str(1 << 30)},
                        multipart(1 << 30))  # type: ignore[arg-type]
    assert (declared.status, declared.sent) == (401, 0)


def test_a_signed_in_upload_above_the_upload_limit_is_cut_off_with_413(
        make_app: Callable[..., FastAPI], settings: Settings, db: Session) -> None:
    app = make_app(upload_max_mb=1)
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    with TestClient(app) as client:
        auth = sign_in(client, settings, admin.phone, factories.PASSWORD)
    answer = exchange(app, "POST", "/admin/ingest",
                      {"content-type": f"multipart/form-data; boundary={BOUNDARY}",
                       "transfer-encoding": "chunked", "accept": "text/html", **auth},
                      multipart(32 * MB))  # type: ignore[arg-type]
    assert answer.status == 413
    assert answer.sent <= 2 * MB + CHUNK  # the limit is the file's plus the form around it
    assert answer.headers["content-type"].startswith("text/html")
    assert "MB 的上限" in answer.body.decode()


def test_every_other_route_has_the_default_limit(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    answer = exchange(app, "POST", "/api/v1/auth/sms-code",
                      {"content-type": "application/json", "transfer-encoding": "chunked"},
                      iter([b'{"phone": "', *repeated(b"1" * CHUNK, 64 * MB)]))
    assert answer.status == 413
    assert 4 * MB < answer.sent <= 4 * MB + CHUNK
    assert orjson.loads(answer.body)["error"]["details"]["limit_bytes"] == 4 * MB


def test_a_gate_upload_without_a_device_key_is_refused_before_its_body_is_read(
        make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    for headers in ({}, {"x-device-key": "not-a-key"}, {"authorization": "Bearer x.y.z"}):
        answer = exchange(app, "POST", "/api/v1/sentinel/HZ-1/checkins",
                          {"content-type": "application/json", "transfer-encoding": "chunked",
                           **headers}, push_body(16 * MB))  # type: ignore[arg-type]
        assert answer.status == 401 and answer.sent == 0
        assert orjson.loads(answer.body)["error"]["code"] in ("device_key_missing",
                                                              "device_key_invalid")
