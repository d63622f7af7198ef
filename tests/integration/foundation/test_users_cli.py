"""`venuecode users`: the password policy at creation and reset, deactivation, sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from venuecode.audit.models import AuditEvent
from venuecode.cli.main import app
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker, transaction
from venuecode.people.models import User
from venuecode.schema import create_schema

PHONE = "13800001111"
GOOD = "correct-horse-battery"


@pytest.fixture
def cli_db(tmp_path: Path, settings: Settings) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    set_settings(settings.model_copy(update={"database_url": url}))
    yield url


def _user(url: str) -> tuple[User | None, list[str]]:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            user = session.scalar(select(User).where(User.phone == PHONE))
            if user is not None:
                session.expunge(user)
            actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
            return user, actions
    finally:
        engine.dispose()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["users", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "password12"])
def test_create_refuses_a_weak_password_in_chinese_first(cli_db: str, weak: str) -> None:
    code, output = _run("create", PHONE, "--role", "tracer", "--password", weak)
    assert code == 1
    assert "密码太容易被猜到" in output and "password_weak" in output
    assert _user(cli_db)[0] is None


def test_deactivate_signout_activate_and_reset(cli_db: str) -> None:
    assert _run("create", PHONE, "--role", "tracer", "--password", GOOD)[0] == 0
    version = _user(cli_db)[0].token_version  # type: ignore[union-attr]

    assert _run("signout", PHONE)[0] == 0
    user, actions = _user(cli_db)
    assert user is not None and user.token_version == version + 1 and user.active
    assert actions[-1] == "user.signed_out_everywhere"

    assert _run("deactivate", PHONE)[0] == 0
    user, actions = _user(cli_db)
    assert user is not None and not user.active and user.token_version == version + 2
    assert actions[-1] == "user.deactivated"

    assert _run("activate", PHONE)[0] == 0
    user, actions = _user(cli_db)
    assert user is not None and user.active and actions[-1] == "user.activated"

    code, output = _run("reset-password", PHONE, "--password", "password12")
    assert code == 1 and "密码太容易被猜到" in output
    before = user.password_hash
    assert _run("reset-password", PHONE, "--password", "walnut-orbit-cascade-7")[0] == 0
    user, actions = _user(cli_db)
    assert user is not None and user.password_hash != before
    assert actions[-2:] == ["user.password_set", "user.signed_out_everywhere"]


def test_an_unknown_phone_fails_clearly(cli_db: str) -> None:
    code, output = _run("deactivate", "13999999999")
    assert code == 2 and "no account with phone 13999999999" in output
