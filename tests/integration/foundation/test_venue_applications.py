"""A venue application: the district from the configured list, a rejected one corrected
and resubmitted with its history, the decisions' reasons shown, the approval queue."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.support import factories
from venuecode.access.roles import Role
from venuecode.config import DEFAULT_DISTRICTS, Settings
from venuecode.people.models import User
from venuecode.venues.models import Venue, VenueReview

HTML = {"accept": "text/html"}
APPLICATION = {
    "name": "文二路便利店", "category": "supermarket", "district": "西湖区",
    "address": "文二路 66 号", "manager_name": "李四", "manager_phone": "13800000002",
    "capacity": 40, "sub_areas": ["收银区", "仓库"],
}
FORM = {"name": "文二路便利店", "category": "supermarket", "district": "西湖区",
        "address": "文二路 66 号", "manager_name": "李四", "manager_phone": "13800000002",
        "capacity": "40", "sub_areas": "收银区\n仓库"}


def venue_count(db: Session) -> int:
    return db.scalar(select(func.count(Venue.id))) or 0


@pytest.fixture
def manager(client: TestClient, db: Session, settings: Settings) -> tuple[User, dict[str, str]]:
    user = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    return user, sign_in(client, settings, user.phone)


@pytest.fixture
def admin(client: TestClient, db: Session, settings: Settings) -> dict[str, str]:
    user = factories.user(db, Role.DISTRICT_ADMIN, district="西湖区")
    db.commit()
    return sign_in(client, settings, user.phone, factories.PASSWORD)


def test_the_districts_setting_reads_a_comma_separated_list_and_refuses_an_empty_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENUECODE_DISTRICTS", " 西湖区, 上城区 ,")
    assert Settings(_env_file=None).districts == ("西湖区", "上城区")  # type: ignore[call-arg]
    monkeypatch.setenv("VENUECODE_DISTRICTS", " , ")
    with pytest.raises(ValidationError, match="at least one district"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.delenv("VENUECODE_DISTRICTS")
    assert Settings(_env_file=None).districts == DEFAULT_DISTRICTS  # type: ignore[call-arg]
    assert "西湖区" in DEFAULT_DISTRICTS and len(DEFAULT_DISTRICTS) == 13


def test_the_application_page_offers_exactly_the_configured_districts(
        client: TestClient, settings: Settings, manager) -> None:  # type: ignore[no-untyped-def]
    settings.districts = ("西湖区", "上城区")
    page = client.get("/manage/venues/new", headers={**manager[1], **HTML})
    assert page.status_code == 200
    select_html = page.text.split('<select id="district"')[1].split("</select>")[0]
    assert select_html.count("<option") == 3  # the prompt and the two districts
    assert 'value="西湖区"' in select_html and 'value="上城区"' in select_html
    assert "请选择所属区县" in select_html


def test_an_unknown_district_is_refused_naming_the_field_and_nothing_is_stored(
        client: TestClient, db: Session, manager) -> None:  # type: ignore[no-untyped-def]
    _, headers = manager
    before = venue_count(db)
    api = client.post("/api/v1/venues", json={**APPLICATION, "district": "西湖"}, headers=headers)
    assert api.status_code == 422
    error = api.json()["error"]
    assert error["code"] == "district_unknown" and error["details"]["field"] == "district"
    assert error["message"].startswith("所属区县：“西湖”不是本系统的区县")
    page = client.post("/manage/venues/new", data={**FORM, "district": "西湖"},
                       headers={**headers, **HTML})
    assert page.status_code == 422 and "所属区县：“西湖”不是本系统的区县" in page.text
    assert 'value="西湖区"' in page.text  # the form is shown again with the choice
    assert error["message_en"].startswith("District: '西湖' is not one of the configured")
    assert venue_count(db) == before


def _reviews(db: Session, venue_id: str) -> list[str]:
    pk = db.scalar(select(Venue.id).where(Venue.venue_id == venue_id))
    return list(db.scalars(select(VenueReview.kind).where(VenueReview.venue_pk == pk)
                           .order_by(VenueReview.id)))


def test_a_rejected_application_is_corrected_resubmitted_and_approved_keeping_its_history(
        client: TestClient, db: Session, manager, admin) -> None:  # type: ignore[no-untyped-def]
    _, headers = manager
    created = client.post("/api/v1/venues", json=APPLICATION, headers=headers)
    assert created.status_code == 201, created.text
    venue_id = created.json()["venue_id"]

    # The district admin's queue shows who applied, their phone, sub-areas and capacity.
    queue = client.get("/admin/venues", headers={**admin, **HTML}).text
    item = queue.split(f'id="venue-{venue_id}"')[1].split("</li>")[0]
    for shown in ("李四", "13800000002", "收银区、仓库", "40", "西湖区"):
        assert shown in item, shown
    assert "data-confirm=" in item  # reject asks first

    # Rejecting needs a reason: the queue says so, naming the field; nothing changes.
    empty = client.post(f"/admin/venues/{venue_id}/reject", data={"reason": " "},
                        headers={**admin, **HTML})
    assert empty.status_code == 422 and "原因：驳回申请时请写明原因" in empty.text
    assert _reviews(db, venue_id) == ["applied"]
    rejected = client.post(f"/admin/venues/{venue_id}/reject", data={"reason": "地址缺门牌号"},
                           headers={**admin, **HTML}, follow_redirects=False)
    assert rejected.status_code == 303
    assert rejected.headers["location"] == "/admin/venues?status=applied"
    said = client.get(rejected.headers["location"], headers={**admin, **HTML}).text
    assert "申请已驳回，申请人会看到驳回原因。" in said
    tab = client.get("/admin/venues?status=rejected", headers={**admin, **HTML}).text
    assert "地址缺门牌号" in tab.split(f'id="venue-{venue_id}"')[1].split("</li>")[0]

    # The manager sees why, and the form comes back filled in.
    detail = client.get(f"/manage/venues/{venue_id}", headers={**headers, **HTML}).text
    assert "驳回原因：地址缺门牌号" in detail and f"/manage/venues/{venue_id}/edit" in detail
    listing = client.get("/manage/venues", headers={**headers, **HTML}).text
    assert "地址缺门牌号" in listing
    form = client.get(f"/manage/venues/{venue_id}/edit", headers={**headers, **HTML}).text
    assert 'value="文二路 66 号"' in form and "收银区\n仓库" in form and "地址缺门牌号" in form
    assert '<option value="西湖区" selected' in form

    # A bad value is refused naming the field; the stored application is untouched.
    bad = client.post(f"/manage/venues/{venue_id}/edit", data={**FORM, "manager_phone": "123"},
                      headers={**headers, **HTML})
    assert bad.status_code == 422 and "负责人电话" in bad.text
    unknown = client.post(f"/manage/venues/{venue_id}/edit", data={**FORM, "district": "西湖"},
                          headers={**headers, **HTML})
    assert unknown.status_code == 422 and "所属区县" in unknown.text
    db.expire_all()
    venue = db.scalar(select(Venue).where(Venue.venue_id == venue_id))
    assert venue is not None and (venue.status, venue.address) == ("rejected", "文二路 66 号")
    assert _reviews(db, venue_id) == ["applied", "rejected"]

    fixed = client.post(f"/manage/venues/{venue_id}/edit",
                        data={**FORM, "address": "文二路 66 号 1 楼", "sub_areas": "收银区\n冷柜区"},
                        headers={**headers, **HTML}, follow_redirects=False)
    assert fixed.status_code == 303
    assert fixed.headers["location"] == f"/manage/venues/{venue_id}"
    page = client.get(fixed.headers["location"], headers={**headers, **HTML}).text
    assert "申请已修改并重新提交，等待区县审核。" in page and "待审核" in page
    db.expire_all()
    venue = db.scalar(select(Venue).where(Venue.venue_id == venue_id))
    assert venue is not None
    assert (venue.status, venue.address, venue.rejection_reason) == ("applied", "文二路 66 号 1 楼",
                                                                     None)
    assert [a.name for a in venue.sub_areas] == ["收银区", "冷柜区"]

    history = client.get(f"/api/v1/venues/{venue_id}/reviews", headers=headers).json()
    assert [h["kind"] for h in history] == ["applied", "rejected", "resubmitted"]
    assert history[0]["application"]["address"] == "文二路 66 号"  # the first version kept
    assert history[1]["reason"] == "地址缺门牌号" and history[1]["actor_role"] == "district_admin"
    assert history[2]["application"]["sub_areas"] == ["收银区", "冷柜区"]

    approved = client.post(f"/admin/venues/{venue_id}/approve", headers={**admin, **HTML},
                           follow_redirects=False)
    assert approved.headers["location"] == "/admin/venues?status=applied"
    out = client.get(f"/api/v1/venues/{venue_id}", headers=headers).json()
    assert out["status"] == "approved" and out["code_url"]
    page = client.get(f"/manage/venues/{venue_id}", headers={**headers, **HTML}).text
    for words in ("提交申请", "申请被驳回", "修改后重新提交", "申请已通过"):
        assert words in page.split('id="review-history"')[1], words


def test_only_a_rejected_application_of_ones_own_may_be_resubmitted(
        client: TestClient, db: Session, settings: Settings, manager) -> None:  # type: ignore[no-untyped-def]
    owner, headers = manager
    venue = factories.venue(db, manager=owner, venue_id="HZ-RS1")  # approved
    db.commit()
    again = client.put("/api/v1/venues/HZ-RS1/application", json=APPLICATION, headers=headers)
    assert again.status_code == 409 and "已通过" in again.json()["error"]["message_zh"]
    other = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    stranger = sign_in(client, settings, other.phone)
    assert client.put("/api/v1/venues/HZ-RS1/application", json=APPLICATION,
                      headers=stranger).status_code == 403
    assert client.get("/manage/venues/HZ-RS1/edit", headers={**stranger, **HTML}).status_code == 403
    # The edit page of a venue that is not rejected leads back to the venue.
    back = client.get("/manage/venues/HZ-RS1/edit", headers={**headers, **HTML},
                      follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/manage/venues/HZ-RS1"
    db.expire_all()
    assert db.get(Venue, venue.id).name == "文三路农贸市场"  # type: ignore[union-attr]


def test_a_revoke_needs_a_reason_and_the_manager_sees_it(
        client: TestClient, db: Session, manager, admin) -> None:  # type: ignore[no-untyped-def]
    owner, headers = manager
    factories.venue(db, manager=owner, venue_id="HZ-RV1")
    db.commit()
    queue = client.get("/admin/venues?status=approved", headers={**admin, **HTML}).text
    item = queue.split('id="venue-HZ-RV1"')[1].split("</li>")[0]
    assert "/admin/venues/HZ-RV1/revoke" in item and "data-confirm=" in item
    empty = client.post("/admin/venues/HZ-RV1/revoke", data={"reason": ""},
                        headers={**admin, **HTML})
    assert empty.status_code == 422 and "原因：停用场所码时请写明原因" in empty.text
    api = client.post("/api/v1/venues/HZ-RV1/revoke", json={"reason": " "}, headers=admin)
    assert api.status_code == 422 and api.json()["error"]["details"]["field"] == "reason"
    assert client.get("/api/v1/venues/HZ-RV1", headers=headers).json()["status"] == "approved"

    done = client.post("/admin/venues/HZ-RV1/revoke", data={"reason": "已停业"},
                       headers={**admin, **HTML}, follow_redirects=False)
    assert done.headers["location"] == "/admin/venues?status=approved"
    out = client.get("/api/v1/venues/HZ-RV1", headers=headers).json()
    assert (out["status"], out["revocation_reason"]) == ("revoked", "已停业")
    page = client.get("/manage/venues/HZ-RV1", headers={**headers, **HTML}).text
    assert "停用原因：已停业" in page
    tab = client.get("/admin/venues?status=revoked", headers={**admin, **HTML}).text
    assert "已停业" in tab.split('id="venue-HZ-RV1"')[1]
    assert _reviews(db, "HZ-RV1") == ["applied", "approved", "revoked"]


def test_an_unknown_decision_is_not_found(client: TestClient, db: Session, admin) -> None:  # type: ignore[no-untyped-def]
    factories.venue(db, approved=False, venue_id="HZ-UD1")
    db.commit()
    response = client.post("/admin/venues/HZ-UD1/delete", headers={**admin, **HTML})
    assert response.status_code == 404


def test_a_reissue_says_it_worked_and_an_unknown_done_says_nothing(
        client: TestClient, db: Session, manager) -> None:  # type: ignore[no-untyped-def]
    owner, headers = manager
    factories.venue(db, manager=owner, venue_id="HZ-RI1")
    db.commit()
    page = client.get("/manage/venues/HZ-RI1", headers={**headers, **HTML}).text
    assert 'data-confirm="旧海报将立即失效，确定继续吗？"' in page  # asks before
    done = client.post("/manage/venues/HZ-RI1/reissue", headers={**headers, **HTML},
                       follow_redirects=False)
    assert done.headers["location"] == "/manage/venues/HZ-RI1"
    said = client.get(done.headers["location"], headers={**headers, **HTML}).text
    assert "已换发新的场所码，请打印新的海报。" in said
    other = client.get("/manage/venues/HZ-RI1?done=<b>x</b>", headers={**headers, **HTML}).text
    assert 'id="flash"' not in other and "<b>x</b>" not in other
