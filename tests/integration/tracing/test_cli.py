"""`venuecode trace`: JSON keys, CSV/XLSX exports (formula-safe, watermarked), exit codes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.integration.tracing.test_service import CASE, CLOSE, FORMULA, seed_city
from venuecode.cli.main import app
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker, transaction
from venuecode.schema import create_schema

AS_OF = ["--as-of", "2022-04-19T08:00:00+08:00"]


@pytest.fixture
def cli_db(tmp_path: Path, settings: Settings) -> Iterator[str]:
    # The CLI opens its own engine from the settings: a committed SQLite file of its own.
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_schema(engine)
    with transaction(make_sessionmaker(engine)) as session:
        seed_city(session)
    engine.dispose()
    set_settings(settings.model_copy(update={"database_url": url}))
    yield url


def test_json_to_stdout_has_the_documented_keys(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["trace", "--case", CASE, *AS_OF, "--reason", "test"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"as_of", "rules", "cases", "contacts", "venues"}
    for contact in data["contacts"]:
        assert {"id_number", "tier", "source", "exposure_minutes", "evidence"} <= set(contact)
        assert contact["tier"] in {"close", "secondary", "tertiary", "general"}
    assert data["contacts"][0]["id_number"] == CLOSE
    assert data["rules"]["depth"] == 2 and data["venues"][0]["venue"] == FORMULA


def test_all_cases_and_options_and_a_file(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = CliRunner().invoke(app, ["trace", "--all-cases", *AS_OF, "--depth", "1",
                                      "--close-minutes", "10", "--look-back-days", "1", "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["rules"]["depth"] == 1 and {c["tier"] for c in data["contacts"]} == {"close", "general"}


def test_csv_export_is_watermarked_and_formula_safe(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(app, ["trace", "--case", CASE, *AS_OF, "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[0][0].startswith("导出人 cli:") and "仅限疫情防控使用" in rows[0][0]
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(row[2] == CLOSE and row[4] == "密接" for row in rows if len(row) > 4)


def test_xlsx_export_writes_text_never_formulas(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["trace", "--case", CASE, *AS_OF, "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if c.value is not None]
    assert str(cells[0].value).startswith("导出人 cli:")
    # Text cells are strings, never formulas; minutes are numbers, times are times.
    assert {c.data_type for c in cells} <= {"s", "n", "d"}
    assert not any(str(c.value).startswith("=") for c in cells)
    assert "'" + FORMULA in [c.value for c in cells]


def test_exit_codes(cli_db: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["trace", *AS_OF]).exit_code == 2  # neither --case nor --all-cases
    assert runner.invoke(app, ["trace", "--case", CASE, "--all-cases"]).exit_code == 2
    assert runner.invoke(app, ["trace", "--case", CASE, "--as-of", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["trace", "--case", CASE, "--format", "xlsx"]).exit_code == 2
    unknown = runner.invoke(app, ["trace", "--case", "110101199001011234", *AS_OF])
    assert unknown.exit_code == 1 and "110101199001011234" in unknown.output
    assert runner.invoke(app, ["trace", "--case", CASE, "--depth", "9", *AS_OF]).exit_code == 1


def test_dwell_overrides_change_the_stay_and_are_reported(cli_db: str) -> None:
    """--dwell restaurant=30: the case's stay ends at 30 min, so the 85-min contact's
    exposure drops to 25 min; the rules say which stays were overridden."""
    runner = CliRunner()
    result = runner.invoke(app, ["trace", "--case", CASE, *AS_OF, "--depth", "1", "--dwell", "restaurant=30"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rules"]["dwell_minutes"] == {"restaurant": 30.0}
    assert {c["id_number"]: c["exposure_minutes"] for c in data["contacts"]} == {CLOSE: 25.0}
    bad = runner.invoke(app, ["trace", "--case", CASE, *AS_OF, "--dwell", "restaurant"])
    assert bad.exit_code == 2 and "CATEGORY=MINUTES" in bad.output
    unknown = runner.invoke(app, ["trace", "--case", CASE, *AS_OF, "--dwell", "spaceship=10"])
    assert unknown.exit_code == 1 and "spaceship" in unknown.output and "metro" in unknown.output


def test_a_cli_trace_and_its_export_are_in_each_persons_access_log(cli_db: str, tmp_path: Path) -> None:
    from venuecode.audit.access_log import entries_for

    out = tmp_path / "t.csv"
    result = CliRunner().invoke(app, ["trace", "--case", CASE, *AS_OF, "--reason", "病例流调",
                                      "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    engine = make_engine(cli_db)
    with transaction(make_sessionmaker(engine)) as session:
        for person in (CLOSE, CASE):
            log = entries_for(session, person)
            assert [(e.action, e.role, e.reason) for e in log] == [
                ("trace.exported", "operator", "病例流调"), ("trace.run", "operator", "病例流调")]
    engine.dispose()
