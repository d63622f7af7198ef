"""The settings in force, read-only, with every secret hidden: planted values in every
secret-bearing setting never reach the page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.console.conftest import staff
from venuecode.access.roles import Role
from venuecode.config import Settings
from venuecode.console.settings_view import HIDDEN, shown_settings

PLANTED = "planted-Secret-9f8e7d6c5b4a39281706"


def _with_secrets(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "secret_key": settings.secret_key, "metrics_token": None,
        "redis_url": f"redis://ops:{PLANTED}@cache.internal:6379/2",
        "sms_http_url": f"https://sms.internal/send?access_token={PLANTED}",
        "healthcode_webhook_url": f"https://hc:{PLANTED}@hc.internal/push",
    })


def test_every_secret_is_hidden_and_the_rest_is_shown(settings: Settings) -> None:
    shown = {s.variable: s for s in shown_settings(_with_secrets(settings))}
    assert set(shown) == {f"VENUECODE_{n.upper()}" for n in Settings.model_fields}
    assert all(PLANTED not in s.value for s in shown.values())
    assert shown["VENUECODE_SECRET_KEY"].value == HIDDEN and shown["VENUECODE_SECRET_KEY"].hidden
    assert shown["VENUECODE_CODE_SIGNING_KEY"].value == HIDDEN
    assert shown["VENUECODE_METRICS_TOKEN"].value == ""  # not set: nothing to hide
    assert shown["VENUECODE_REDIS_URL"].value == "redis://***@cache.internal:6379/2"
    assert shown["VENUECODE_SMS_HTTP_URL"].value == "https://sms.internal/send?***"
    assert shown["VENUECODE_HEALTHCODE_WEBHOOK_URL"].value == "https://***@hc.internal/push"
    assert shown["VENUECODE_TIMEZONE"].value == "Asia/Shanghai"
    assert shown["VENUECODE_CODE_KEY_ID"].value == "1"  # a key's id, no secret
    assert "西湖区" in shown["VENUECODE_DISTRICTS"].value


def test_a_database_url_password_is_hidden(settings: Settings) -> None:
    planted = settings.model_copy(
        update={"database_url": f"postgresql://venuecode:{PLANTED}@db.internal:5432/vc"})
    value = {s.variable: s.value for s in shown_settings(planted)}["VENUECODE_DATABASE_URL"]
    assert value == "postgresql://***@db.internal:5432/vc"


def test_a_new_secret_setting_is_hidden_by_its_type(settings: Settings) -> None:
    # Every SecretStr field, whatever its name, shows only that it is set.
    from pydantic import SecretStr

    for name, field in Settings.model_fields.items():
        if "SecretStr" in str(field.annotation):
            value = {s.variable: s for s in shown_settings(settings.model_copy(
                update={name: SecretStr(PLANTED)}))}[f"VENUECODE_{name.upper()}"]
            assert value.value == HIDDEN, name


def test_the_page_shows_them_to_system_admins_only(
        client: TestClient, settings: Settings, db: Session) -> None:
    _, headers = staff(db, settings)
    page = client.get("/admin/console/settings", headers=headers)
    assert page.status_code == 200
    assert "VENUECODE_SECRET_KEY" in page.text and HIDDEN in page.text
    assert settings.secret("secret_key") not in page.text
    assert settings.secret("code_signing_key") not in page.text
    assert "当前生效的配置" in page.text
    _, district = staff(db, settings, Role.DISTRICT_ADMIN, "西湖区")
    assert client.get("/admin/console/settings", headers=district).status_code == 403
