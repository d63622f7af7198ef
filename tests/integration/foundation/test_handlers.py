"""How routes handle requests: no database work on the event loop, forms as `Form()` models,
and a browser's bad form field answered with a readable Chinese page naming the field."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import Form
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import venuecode
from tests.conftest import sign_in
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.venues.models import Venue
from venuecode.web.deps import get_session
from venuecode.web.i18n import translations
from venuecode.web.security import check_csrf

HTML = {"accept": "text/html"}

# `async def` routes, each with why it may be one. None may use a database session: it would
# run its queries (and their locks) on the event loop and stall every other request.
ASYNC_ALLOWED = {
    ("POST", "/api/v1/scans"): "the hot path hands its work to its own executor (scans/hotpath.py)",
    ("GET", "/readyz"): "awaits its checks, each on its own thread with a timeout (observability/readiness.py)",
}
# `async def` dependencies every route may have: they do no database or blocking work.
ASYNC_DEPENDENCIES = {check_csrf: "compares a header or the already parsed form field (web/security.py)"}
# Modules that may read a form by hand, each with why.
FORM_READERS = {"web/security.py": "the CSRF check reads the one field every form carries, "
                                   "from the form FastAPI has already parsed"}


def routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, str(context.path), route


def calls(dependant: Dependant) -> Iterator[object]:
    """Every function FastAPI calls for a route: its dependencies, depth first, then it."""
    for sub in dependant.dependencies:
        yield from calls(sub)
    yield dependant.call


def test_no_route_runs_database_work_on_the_event_loop(app: FastAPI) -> None:
    checked, offenders = 0, []
    for method, path, route in routes(app):
        checked += 1
        for call in calls(route.dependant):
            if not inspect.iscoroutinefunction(call) or call in ASYNC_DEPENDENCIES:
                continue  # plain `def`: FastAPI runs it in its threadpool
            if (method, path) not in ASYNC_ALLOWED:
                offenders.append(f"{method} {path}: async {getattr(call, '__qualname__', call)}")
        if (method, path) in ASYNC_ALLOWED and inspect.iscoroutinefunction(route.endpoint):
            assert get_session not in list(calls(route.dependant)), f"{path} holds a session"
    assert checked > 50  # the walk saw the app's routes, not an empty list
    assert not offenders, "async routes outside the allow-list:\n" + "\n".join(offenders)


def test_no_handler_reads_the_form_by_hand() -> None:
    package = Path(venuecode.__file__).parent
    handlers = [p for p in package.rglob("*.py")
                if p.name in ("api.py", "pages.py", "staff.py") or p.name.endswith("_pages.py")
                or p.parent.name == "web"]
    assert len(handlers) > 10
    by_hand = [f"{p.relative_to(package)}:{n}" for p in handlers
               for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
               if re.search(r"\.form\(\s*\)", line)
               and str(p.relative_to(package)) not in FORM_READERS]
    assert not by_hand, f"use a Form() model instead of request.form(): {by_hand}"


def test_every_form_page_declares_one_form_model_with_labels_in_chinese(app: FastAPI) -> None:
    zh = translations("zh")
    pages = 0
    for method, path, route in routes(app):
        if path.startswith("/api/") or not route.dependant.body_params:
            continue
        pages += 1
        [body] = route.dependant.body_params
        model = body.field_info.annotation
        assert isinstance(body.field_info, Form), f"{method} {path}: not a form"
        assert isinstance(model, type) and issubclass(model, BaseModel), (
            f"{method} {path}: declare its fields as one Form() model")
        for name, field in model.model_fields.items():
            if field.title:  # the label the page shows; hidden fields have none
                assert zh.gettext(field.title) != field.title, f"{model.__name__}.{name}"
    assert pages >= 12


def test_a_missing_field_gets_a_chinese_page_naming_it_not_json(client: TestClient) -> None:
    response = client.post("/login", data={"next": "/"}, headers=HTML)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "输入有误：手机号码：必填。" in response.text
    english = client.post("/login?lang=en", data={}, headers=HTML)
    assert "Invalid input: Mobile number: required." in english.text
    # The API and scripts still get JSON with the field's API name.
    machine = client.post("/login", data={})
    assert machine.json()["error"]["details"]["problems"][0]["field"] == "phone"


def test_a_too_long_field_names_its_label_and_the_limit(client: TestClient, settings: Settings,
                                                        db: Session) -> None:
    helper = factories.user(db, Role.CITIZEN)
    db.commit()
    headers = {**sign_in(client, settings, helper.phone), **HTML}
    response = client.post("/assist/paper-codes", headers=headers,
                           data={"action": "issue", "id_number": "1" * 18, "name": "长" * 65})
    assert response.status_code == 422
    assert "姓名：最多 64 个字符" in response.text and "string_too_long" not in response.text


def test_a_bad_venue_application_re_renders_the_form_with_the_fields_named(
        client: TestClient, settings: Settings, db: Session) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    headers = {**sign_in(client, settings, manager.phone), **HTML}
    form = {"name": "文二路便利店", "category": "supermarket", "district": "西湖区",
            "manager_name": "李四", "manager_phone": "13800000002", "capacity": "很多",
            "sub_areas": "东区\n东区"}
    response = client.post("/manage/venues/new", data=form, headers=headers)
    assert response.status_code == 422
    assert "容纳人数：须为整数" in response.text and "需要单独场所码的区域" in response.text
    assert 'value="文二路便利店"' in response.text  # what was typed is kept
    assert db.scalar(select(func.count(Venue.id))) == 0
    ok = client.post("/manage/venues/new", headers=headers, follow_redirects=False,
                     data={**form, "capacity": "", "sub_areas": "东区\n西区", "address": ""})
    assert ok.status_code == 303, ok.text
    venue = db.scalar(select(Venue))
    assert venue is not None and venue.capacity is None and venue.address == ""
    assert sorted(a.name for a in venue.sub_areas) == ["东区", "西区"]


def test_a_broken_upload_from_a_browser_is_a_4xx_page(client: TestClient, settings: Settings,
                                                      db: Session) -> None:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    headers = {**sign_in(client, settings, admin.phone, factories.PASSWORD), **HTML}
    broken = client.post("/admin/ingest", headers={
        **headers, "content-type": "multipart/form-data; boundary=xyz"},
        content=b"--xyz\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npers")
    assert 400 <= broken.status_code < 500
    assert broken.headers["content-type"].startswith("text/html")
    no_file = client.post("/admin/ingest", headers=headers, data={"kind": "persons"},
                          files={"file": ("", b"", "application/octet-stream")})
    assert no_file.status_code == 422 and "请选择要上传的文件" in no_file.text


def test_a_bad_query_value_on_a_page_names_the_parameter_without_its_location(
        client: TestClient, settings: Settings, db: Session) -> None:
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    headers = {**sign_in(client, settings, tracer.phone, factories.PASSWORD), **HTML}
    response = client.get("/tracing/traces/1?page=0", headers=headers)
    assert response.status_code == 422 and "page：不能小于 1" in response.text
    assert "query" not in response.text.split("输入有误")[1].split("</p>")[0]
