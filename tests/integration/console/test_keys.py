"""Data-source API keys in the console: created with kinds and shown once, listed with
kinds, creation and last use, revoked after asking; bad input names the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.integration.console.conftest import actions_about, staff
from tests.support import factories
from venuecode.access.models import ApiKey
from venuecode.config import Settings
from venuecode.ingest.sources import verify_key


def _push(client: TestClient, key: str) -> int:
    record = {"id_number": factories.id_number(), "name": "张三", "phone": "13800000001"}
    return client.post("/api/v1/ingest/persons", json={"records": [record]},
                       headers={"Authorization": f"Bearer {key}"}).status_code


def test_a_key_is_shown_once_listed_with_its_use_and_revoked(
        client: TestClient, settings: Settings, db: Session) -> None:
    admin, headers = staff(db, settings)
    created = client.post("/admin/console/keys", headers=headers,
                          data={"source_name": "公安人口库", "kinds": ["persons", "vaccinations"]})
    assert created.status_code == 200
    key = created.text.split('id="new-key">')[1].split("<")[0]
    assert key.startswith("vc_") and len(key) > 40
    assert "只显示这一次" in created.text
    row = db.scalar(select(ApiKey).where(ApiKey.name == "公安人口库"))
    assert row is not None and row.kinds == "persons,vaccinations" and row.created_by == admin.id
    assert verify_key(db, key) is not None and key not in row.key_hash
    assert actions_about(db, "api_key", row.id) == ["apikey.created"]

    listing = client.get("/admin/console/keys", headers=headers).text
    assert key not in listing and row.prefix in listing  # only its beginning, from now on
    line = listing.split(f'data-key="{row.id}"')[1].split("</tr>")[0]
    assert "人口库、疫苗接种" in line and "从未使用" in line and "persons" not in line

    assert _push(client, key) == 200
    db.refresh(row)
    assert row.last_used_at is not None
    used = client.get("/admin/console/keys", headers=headers).text
    assert "从未使用" not in used.split(f'data-key="{row.id}"')[1].split("</tr>")[0]
    assert "data-confirm=" in used.split(f'data-key="{row.id}"')[1].split("</tr>")[0]

    revoked = client.post(f"/admin/console/keys/{row.id}/revoke", headers=headers,
                          follow_redirects=False)
    assert revoked.status_code == 303 and revoked.headers["location"].endswith("done=key_revoked")
    after = client.get(revoked.headers["location"], headers=headers).text
    assert "密钥已吊销" in after and "已吊销" in after.split(f'data-key="{row.id}"')[1]
    assert _push(client, key) == 401
    assert actions_about(db, "api_key", row.id) == ["apikey.created", "apikey.revoked"]
    assert client.post("/admin/console/keys/999999/revoke", headers=headers).status_code == 404


def test_bad_key_forms_name_the_field_and_store_nothing(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    client.post("/admin/console/keys", headers=headers,
                data={"source_name": "卫健委", "kinds": ["health_codes"]})
    before = db.scalar(select(func.count()).select_from(ApiKey))
    cases = [
        ({"source_name": "", "kinds": ["persons"]}, "数据源名称：请填写数据源名称。"),
        ({"source_name": "交通局"}, "数据类型：请至少选择一种列表中的数据类型。"),
        ({"source_name": "交通局", "kinds": ["persons", "secrets"]}, "数据类型："),
        ({"source_name": "卫健委", "kinds": ["persons"]}, "数据源名称：数据源 卫健委 已存在。"),
        ({"source_name": "x" * 65, "kinds": ["persons"]}, "数据源名称"),
    ]
    for form, message in cases:
        response = client.post("/admin/console/keys", headers=headers, data=form)
        assert response.status_code == 422, form
        assert message in response.text, (form, response.text[-800:])
        assert 'id="new-key"' not in response.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ApiKey)) == before


def test_keys_are_for_system_admins_only(client: TestClient, settings: Settings,
                                         db: Session) -> None:
    from venuecode.access.roles import Role

    _, headers = staff(db, settings, Role.DISTRICT_ADMIN, "西湖区")
    assert client.get("/admin/console/keys", headers=headers).status_code == 403
    response = client.post("/admin/console/keys", headers=headers,
                           data={"source_name": "x", "kinds": ["persons"]})
    assert response.status_code == 403
    assert db.scalar(select(ApiKey).where(ApiKey.name == "x")) is None


def test_last_use_is_written_at_most_once_a_minute(
        client: TestClient, settings: Settings, db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from venuecode.ingest.sources import create_key

    row, key = create_key(db, "交通局", ["persons"])
    db.commit()
    assert _push(client, key) == 200
    db.refresh(row)
    first = row.last_used_at
    assert first == clock.now()
    clock.advance(timedelta(seconds=30))
    assert _push(client, key) == 200
    db.refresh(row)
    assert row.last_used_at == first  # within the minute: no write
    clock.advance(timedelta(seconds=31))
    assert _push(client, key) == 200
    db.refresh(row)
    assert row.last_used_at == clock.now()
