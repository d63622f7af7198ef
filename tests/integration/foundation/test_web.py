from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import read_sms_code, sign_in
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.people.models import SmsCode
from venuecode.venues.models import Venue

APPLICATION = {
    "name": "文三路农贸市场", "category": "market", "district": "西湖区",
    "address": "文三路 188 号", "manager_name": "李四", "manager_phone": "13800000002",
    "sub_areas": ["东区", "西区"],
}


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/venues" in paths and "/api/v1/auth/login" in paths


def test_a_citizen_signs_in_with_the_sms_code_and_binds_an_identity(
        client: TestClient, settings: Settings) -> None:
    headers = sign_in(client, settings, "13912345678")
    number = factories.id_number(7)
    response = client.put("/api/v1/me/identity", json={"id_number": number, "name": "张小三"},
                          headers=headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["identity_bound"] and me["name_masked"] == "张*三"
    assert me["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]


def test_an_sms_code_works_once(client: TestClient, settings: Settings) -> None:
    phone = "13912340000"
    client.post("/api/v1/auth/sms-code", json={"phone": phone})
    code = read_sms_code(settings, phone)
    assert client.post("/api/v1/auth/login", json={"phone": phone, "code": code}).status_code == 200
    again = client.post("/api/v1/auth/login", json={"phone": phone, "code": code})
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "sms_code_wrong"


def test_sms_codes_are_rate_limited_per_phone(client: TestClient, db: Session) -> None:
    phone = "13912340001"
    assert client.post("/api/v1/auth/sms-code", json={"phone": phone}).status_code == 202
    second = client.post("/api/v1/auth/sms-code", json={"phone": phone})
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 0
    assert db.scalar(select(func.count(SmsCode.id)).where(SmsCode.phone == phone)) == 1


def test_an_identity_with_a_wrong_check_character_is_refused(
        client: TestClient, settings: Settings) -> None:
    headers = sign_in(client, settings, "13912345679")
    number = factories.id_number(8)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = client.put("/api/v1/me/identity", json={"id_number": wrong, "name": "张三"},
                          headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "id_number_check"
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["identity_bound"] is False


def test_staff_need_the_password_after_the_sms_code(client: TestClient, settings: Settings,
                                                    db: Session) -> None:
    admin = factories.user(db, Role.SYSTEM_ADMIN)
    db.commit()
    client.post("/api/v1/auth/sms-code", json={"phone": admin.phone})
    code = read_sms_code(settings, admin.phone)
    login = client.post("/api/v1/auth/login", json={"phone": admin.phone, "code": code}).json()
    assert login["second_factor_required"] is True
    pending = {"Authorization": f"Bearer {login['access_token']}"}
    assert client.get("/api/v1/venues", headers=pending).status_code == 401
    wrong = client.post("/api/v1/auth/password", json={"password": "nope-nope-nope"},
                        headers=pending)
    assert wrong.status_code == 401


def test_a_manager_applies_and_a_district_admin_approves(client: TestClient, settings: Settings,
                                                         db: Session) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    admin = factories.user(db, Role.DISTRICT_ADMIN, district="西湖区")
    db.commit()
    m = sign_in(client, settings, manager.phone)
    applied = client.post("/api/v1/venues", json=APPLICATION, headers=m)
    assert applied.status_code == 201, applied.text
    venue = applied.json()
    assert venue["status"] == "applied" and venue["code_url"] is None
    poster = client.get(f"/api/v1/venues/{venue['venue_id']}/poster.png", headers=m)
    assert poster.status_code == 409 and poster.json()["error"]["code"] == "venue_not_approved"

    a = sign_in(client, settings, admin.phone, factories.PASSWORD)
    approved = client.post(f"/api/v1/venues/{venue['venue_id']}/approve", headers=a).json()
    assert approved["status"] == "approved"
    assert approved["code_url"].startswith("http://testserver/s/")
    assert all(area["code_url"] for area in approved["sub_areas"])
    path = approved["code_url"].replace("http://testserver", "")
    landing = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == f"/login?next={path}"


def test_a_citizen_may_not_apply_for_a_venue(client: TestClient, settings: Settings,
                                             db: Session) -> None:
    headers = sign_in(client, settings, "13912345670")
    response = client.post("/api/v1/venues", json=APPLICATION, headers=headers)
    assert response.status_code == 403
    assert db.scalar(select(func.count(Venue.id))) == 0


def test_bad_application_bodies_are_refused_with_the_field_named(
        client: TestClient, settings: Settings, db: Session) -> None:
    manager = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    headers = sign_in(client, settings, manager.phone)
    for override, field in [({"category": "casino"}, "category"), ({"name": "长" * 500}, "name"),
                            ({"name": ""}, "name")]:
        response = client.post("/api/v1/venues", json={**APPLICATION, **override},
                               headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"]["problems"][0]["field"] == field
    assert db.scalar(select(func.count(Venue.id))) == 0


def test_forged_and_truncated_codes_get_a_readable_page(client: TestClient, db: Session,
                                                        settings: Settings) -> None:
    html = {"accept": "text/html"}
    forged = client.get("/s/AQEAAAAAAQABAAAAAAAAAAAAAA", headers=html)
    assert forged.status_code == 422 and "不是本系统签发的" in forged.text
    truncated = client.get("/s/AQEAAAAAAQAB", headers=html)
    assert truncated.status_code == 422 and "不完整" in truncated.text
    english = client.get("/s/AQEAAAAAAQAB?lang=en", headers=html)
    assert "incompletely" in english.text


def test_errors_are_json_under_the_api_and_pages_for_browsers(client: TestClient) -> None:
    api = client.get("/api/v1/nope")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    page = client.get("/nope", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<html" in page.text and "Traceback" not in page.text


def test_an_unexpected_error_shows_a_reference_not_a_stack_trace(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["error"]["code"] == "internal_error"


def test_pages_require_sign_in_and_redirect_to_login(client: TestClient) -> None:
    response = client.get("/manage/venues", headers={"accept": "text/html"},
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_english_switch_sets_a_cookie(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/?lang=en", headers={"accept": "text/html"})
    assert "Scan the venue code" in response.text
    assert client.get("/", headers={"accept": "text/html"}).text.count("Scan the venue code") == 1
