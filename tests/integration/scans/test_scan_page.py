from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.scans.test_scan_api import code_of
from tests.support import factories
from tests.support import facts as f
from venuecode.clock import FixedClock
from venuecode.config import Settings

HTML = {"accept": "text/html"}


def test_the_result_page_shows_the_pass_verdict_and_panels(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers = sign_in(client, settings, "13700000101")
    number = factories.id_number(101)
    client.put("/api/v1/me/identity", json={"id_number": number, "name": "王五"}, headers=headers)
    f.healthy(db, number, clock.now())
    url = code_of(db, settings).replace("http://testserver", "")
    page = client.get(url, headers={**HTML, **headers})
    assert page.status_code == 200, page.text
    assert "通行" in page.text and "已扫码" in page.text and "绿码" in page.text


def test_a_link_from_another_site_asks_for_a_tap_before_checking_in(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock) -> None:
    headers = sign_in(client, settings, "13700000102")
    number = factories.id_number(102)
    client.put("/api/v1/me/identity", json={"id_number": number, "name": "王六"}, headers=headers)
    f.healthy(db, number, clock.now() - timedelta(hours=1))
    url = code_of(db, settings).replace("http://testserver", "")
    page = client.get(url, headers={**HTML, **headers, "sec-fetch-site": "cross-site"})
    assert "确认在该场所扫码登记" in page.text
    assert client.get("/api/v1/me/scans", headers=headers).json() == []
    confirmed = client.post(url, headers={**HTML, **headers})
    assert confirmed.status_code == 200 and "已扫码" in confirmed.text
    assert len(client.get("/api/v1/me/scans", headers=headers).json()) == 1


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(
        client: TestClient, db: Session, settings: Settings) -> None:
    url = code_of(db, settings).replace("http://testserver", "")
    response = client.get(url, headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={url}"
