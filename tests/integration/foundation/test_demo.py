from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from venuecode.config import Settings
from venuecode.demo import DEMO_CITIZEN_ID, load_city, refresh_demo_citizen, seed_demo
from venuecode.facts.models import CaseRecord
from venuecode.scans.models import Checkin
from venuecode.scans.service import decide
from venuecode.venues.service import get_venue


def test_the_demo_city_loads_every_kind_and_its_citizen_passes(db: Session,
                                                               settings: Settings) -> None:
    assert seed_demo(db) is True
    assert seed_demo(db) is False  # once only
    refresh_demo_citizen(db)
    counts = load_city(db, 300)
    assert all(c["rejected"] == 0 for c in counts.values()), counts
    assert counts["checkins"]["accepted"] > 300
    assert (db.scalar(select(func.count(CaseRecord.id_number))) or 0) >= 5
    assert (db.scalar(select(func.count(Checkin.id))) or 0) == counts["checkins"]["accepted"]
    decision = decide(db, settings, get_venue(db, "HZ-XH-0002"), DEMO_CITIZEN_ID,
                      datetime.now(UTC))
    assert decision.verdict == "pass", decision.reasons


def test_the_demo_refuses_production_before_writing_anything(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import secrets

    from typer.testing import CliRunner

    from venuecode.cli.main import app
    from venuecode.config import set_settings

    database = tmp_path / "prod.db"
    for name, value in {
        "ENVIRONMENT": "production", "DATABASE_URL": f"sqlite:///{database}",
        "PUBLIC_URL": "https://csm.example.gov.cn", "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": secrets.token_urlsafe(48), "CODE_SIGNING_KEY": secrets.token_urlsafe(48),
        "SMS_BACKEND": "http", "SMS_HTTP_URL": "https://sms.internal/send",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }.items():
        monkeypatch.setenv(f"VENUECODE_{name}", value)
    set_settings(None)
    try:
        result = CliRunner().invoke(app, ["demo", "--no-serve"])
    finally:
        set_settings(None)
    assert result.exit_code == 2, result.output
    assert "refuses to run in production" in result.output
    assert "VENUECODE_ENVIRONMENT=development" in result.output
    assert "venuecode users create" in result.output
    assert not database.exists() and not (tmp_path / "data").exists()
