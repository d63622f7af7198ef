"""Bad input is answered in the reader's language, naming the field by its label on the
page; the API keeps the machine codes and adds the words (`message`)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.integration.foundation.test_i18n_pages import bearer
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.tracing.models import Trace
from venuecode.venues.models import Venue

HTML = {"accept": "text/html"}
BAD_VENUE = {"name": "文三路农贸市场", "category": "casino", "district": "西湖区",
             "manager_name": "李四", "manager_phone": "12345", "capacity": "abc"}


def post(client: TestClient, url: str, headers: dict[str, str], locale: str, **kw: Any) -> Any:
    client.cookies.set("lang", locale)
    return client.post(url, headers={**headers, **HTML}, follow_redirects=False, **kw)


def test_a_bad_venue_application_names_each_field_in_the_readers_language(
        client: TestClient, settings: Settings, db: Session) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    headers = bearer(settings, manager)
    zh = post(client, "/manage/venues/new", headers, "zh", data=BAD_VENUE)
    assert zh.status_code == 422
    assert "负责人电话：请填写11位手机号码，或座机号码（如 0571-87654321）" in zh.text
    assert "场所类别：请从列表中选择场所类别" in zh.text
    assert "容纳人数：须为整数" in zh.text
    assert "manager_phone" not in zh.text.split("<form")[0]
    en = post(client, "/manage/venues/new", headers, "en", data=BAD_VENUE)
    assert "Manager phone: must be a mobile number (11 digits starting with 1)" in en.text
    assert "Category: is not one of the venue categories" in en.text
    assert db.scalar(select(func.count(Venue.id))) == 0


def test_the_api_keeps_codes_and_adds_the_problem_in_words(
        client: TestClient, settings: Settings, db: Session) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    body = {k: v for k, v in BAD_VENUE.items() if k != "capacity"}
    for locale, words in (("zh", "请填写11位手机号码"), ("en", "must be a mobile number")):
        client.cookies.set("lang", locale)
        response = client.post("/api/v1/venues", json=body, headers=bearer(settings, manager))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        by_field = {p["field"]: p for p in error["details"]["problems"]}
        assert by_field["manager_phone"]["problem"].startswith("must be a mobile number")
        assert words in by_field["manager_phone"]["message"]
        assert words in error["message"]


def test_the_trace_form_explains_bad_stays_and_numbers_in_words(
        client: TestClient, settings: Settings, db: Session) -> None:
    tracer = factories.user(db, Role.TRACER)
    db.commit()
    headers = bearer(settings, tracer)
    form = {"cases": factories.id_number(1), "reason": "病例 1 流调", "as_of": "",
            "look_back_days": "4", "close_minutes": "15", "depth": "2", "dwell": "metro=abc"}
    zh = post(client, "/tracing/traces", headers, "zh", data=form)
    assert zh.status_code == 422
    assert "请写成 类别=分钟，例如 地铁站=10（“metro=abc”格式不对）" in zh.text
    assert "CATEGORY=MINUTES" not in zh.text
    en = post(client, "/tracing/traces", headers, "en", data=form)
    assert "write CATEGORY=MINUTES, e.g. metro=10 (not “metro=abc”)" in en.text
    days = post(client, "/tracing/traces", headers, "zh", data={**form, "dwell": "",
                                                                "look_back_days": "x"})
    assert days.status_code == 422 and "回溯天数（发病前）：须为数字" in days.text
    unknown = post(client, "/tracing/traces", headers, "zh", data={**form, "dwell": "spaceship=5"})
    assert "“spaceship”不是场所类别" in unknown.text
    # A category by its Chinese name is understood (no slug needed).
    named = post(client, "/tracing/traces", headers, "zh", data={**form, "dwell": "地铁站=x"})
    assert "“地铁站=x”格式不对" in named.text
    assert db.scalar(select(func.count(Trace.id))) == 0


def test_a_form_post_missing_a_field_names_it_by_its_label(client: TestClient) -> None:
    zh = post(client, "/login/code", {}, "zh", data={"phone": "13800000000"})
    assert zh.status_code == 422 and "输入有误：验证码：必填。" in zh.text
    en = post(client, "/login/code", {}, "en", data={"phone": "13800000000"})
    assert "Invalid input: Code: required." in en.text
    client.cookies.set("lang", "zh")
    page = client.get("/login/code", headers=HTML)  # the phone is missing from the link
    assert page.status_code == 422 and "手机号码：必填" in page.text


def test_every_field_label_an_error_may_name_is_translated(client: TestClient) -> None:
    # A label given as a plain string (not `N_()`) is not extracted: its error would name
    # the field in English on a Chinese page, and no page walk shows it until input is bad.
    from fastapi.routing import APIRoute, iter_route_contexts

    from venuecode.web.forms import titles_of
    from venuecode.web.i18n import translations

    zh = translations("zh")
    routes = [c.original_route for c in iter_route_contexts(client.app.routes)]  # type: ignore[attr-defined]
    labels = {title for route in routes if isinstance(route, APIRoute)
              for title in titles_of(route).values()}
    assert len(labels) > 20
    assert sorted(t for t in labels if zh.gettext(t) == t) == []
