from pathlib import Path

import pytest
from pydantic import ValidationError

from venuecode.config import Settings, SettingsError


def make(tmp_path: Path, **kw: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **kw)  # type: ignore[call-arg]


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    settings = make(tmp_path, environment="production")
    with pytest.raises(SettingsError) as info:
        settings.check_for_start()
    assert "VENUECODE_SECRET_KEY" in str(info.value)


def test_production_refuses_placeholder_secrets(tmp_path: Path) -> None:
    settings = make(tmp_path, environment="production", secret_key="changeme",
                    code_signing_key="changeme")
    with pytest.raises(SettingsError):
        settings.secret("secret_key")


def test_development_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = make(tmp_path).secret("code_signing_key")
    second = make(tmp_path).secret("code_signing_key")
    assert first == second and len(first) >= 32
    assert (tmp_path / "code_signing_key.txt").stat().st_mode & 0o077 == 0


def test_an_unknown_time_zone_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        make(tmp_path, timezone="Mars/Olympus")
    assert "IANA" in str(info.value)


def test_production_needs_a_real_sms_gateway(tmp_path: Path) -> None:
    settings = make(tmp_path, environment="production", secret_key="s" * 40,
                    code_signing_key="c" * 40)
    with pytest.raises(SettingsError) as info:
        settings.check_for_start()
    assert "SMS" in str(info.value)
