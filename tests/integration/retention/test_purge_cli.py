"""`venuecode retention purge`: counts per kind in Chinese and English, or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support import factories
from tests.support import facts as f
from venuecode import clock as clocks
from venuecode.cli.main import app
from venuecode.clock import FixedClock
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker, transaction
from venuecode.facts.models import NucleicAcidTestRecord
from venuecode.retention.service import KINDS
from venuecode.schema import create_schema


@pytest.fixture
def cli_db(tmp_path: Path, settings: Settings, clock: FixedClock) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_schema(engine)
    now = clocks.now()
    with transaction(make_sessionmaker(engine)) as session:
        f.negative_test(session, factories.id_number(1), now - timedelta(days=28, seconds=1))
        f.negative_test(session, factories.id_number(2), now - timedelta(days=27))
    engine.dispose()
    set_settings(settings.model_copy(update={"database_url": url}))
    yield url


def _tests_left(url: str) -> int:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        left = session.query(NucleicAcidTestRecord).count()
    engine.dispose()
    return left


def test_purge_prints_every_kind_in_both_languages(cli_db: str) -> None:
    preview = CliRunner().invoke(app, ["retention", "purge", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith("将删除 / would delete:")
    assert _tests_left(cli_db) == 2

    result = CliRunner().invoke(app, ["retention", "purge"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "已删除 / deleted:"
    for _key, zh, en in KINDS:
        assert any(line.endswith(f"{zh} / {en}") for line in lines), zh
    assert any(line.split() == ["1", "核酸检测记录", "/", "nucleic-acid", "tests"] for line in lines)
    assert _tests_left(cli_db) == 1


def test_purge_json(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["retention", "purge", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is False and data["counts"]["nucleic_acid_tests"] == 1
    assert set(data["counts"]) == {key for key, _zh, _en in KINDS}
