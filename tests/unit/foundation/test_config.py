from pathlib import Path

import pytest
from pydantic import ValidationError

from venuecode.config import Settings, SettingsError

# Strong and distinct, as production needs (test_secret_strength.py covers the refusals).
STRONG = {"secret_key": "kR8vQ2nX_w4LzT7pYb1mC9dF3hJ6sA0eG5uV-oIqWZt",
          "code_signing_key": "Zp3Nq7Lw1Xe9Rt5Ya2Uc8Vb4Mk6Hs0Jd-gFoTiEyB_l",
          "proof_signing_key": "q1Wf8Zb3Kx0Rm7Tn4Yc9Vd2Ls6Hj5Ge+Pa/Nu3Io8Ek="}


def make(tmp_path: Path, **kw: object) -> Settings:
    kw.setdefault("redis_url", None)  # not from the shell's environment
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
    settings = make(tmp_path, environment="production", public_url="https://csm.example",
                    **STRONG)
    with pytest.raises(SettingsError) as info:
        settings.check_for_start()
    assert "SMS" in str(info.value)


def test_more_than_one_worker_needs_redis(tmp_path: Path) -> None:
    settings = make(tmp_path)
    settings.check_for_start(workers=1)
    with pytest.raises(SettingsError) as info:
        settings.check_for_start(workers=2)
    assert "VENUECODE_REDIS_URL" in str(info.value) and "2 worker processes" in str(info.value)
    with pytest.raises(SettingsError):
        make(tmp_path, workers=3).check_for_start()
    make(tmp_path, redis_url="redis://127.0.0.1:6379/2").check_for_start(workers=4)


def test_production_needs_redis(tmp_path: Path) -> None:
    settings = make(tmp_path, environment="production", public_url="https://csm.example",
                    sms_backend="http", sms_http_url="https://sms", **STRONG)
    with pytest.raises(SettingsError) as info:
        settings.check_for_start()
    assert "VENUECODE_REDIS_URL" in str(info.value) and "production" in str(info.value)
    make(tmp_path, environment="production", public_url="https://csm.example",
         sms_backend="http", sms_http_url="https://sms",
         redis_url="rediss://cache.internal:6380/1", **STRONG).check_for_start()


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis://", "redis://host:6379/db",
                                 "redis://host:notaport/0", "127.0.0.1:6379"])
def test_a_redis_url_that_is_not_one_is_refused_with_the_form_it_needs(tmp_path: Path,
                                                                        url: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(tmp_path, redis_url=url)
    assert "redis://host:6379/0" in str(info.value)


def test_an_empty_redis_url_means_none(tmp_path: Path) -> None:
    assert make(tmp_path, redis_url="").redis_url is None
