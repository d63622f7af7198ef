"""The push API with API keys, and the import command's output, report and exit codes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from venuecode.config import Settings
from venuecode.ingest.cli import run_import
from venuecode.ingest.sources import create_key, revoke_key, verify_key

from .conftest import BAD, GOOD, write_csv

P_HEADER, P_ROWS = GOOD["persons"]
RECORDS = [dict(zip(P_HEADER, row, strict=True)) for row in P_ROWS]


@pytest.fixture
def client(env: Session, app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def key(env: Session) -> str:
    _, secret = create_key(env, "registry", ["persons", "health_codes"])
    env.commit()
    return secret


def _audit(session: Session, action: str) -> int:
    return int(session.execute(text("SELECT count(*) FROM audit_events WHERE action = :a"),
                               {"a": action}).scalar_one())


def _persons(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM persons")).scalar_one())


def test_push_with_the_right_key_stores_and_reports_rejects_by_index(
        client: TestClient, key: str, env: Session) -> None:
    bad = dict(zip(P_HEADER, BAD["persons"][0], strict=True))
    response = client.post("/api/v1/ingest/persons", json={"records": [RECORDS[0], bad, 7]},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("read", "accepted", "replaced", "unchanged", "rejected")} == {
        "read": 3, "accepted": 1, "replaced": 0, "unchanged": 0, "rejected": 2}
    assert [(r["index"], r["reasons"][0]["code"]) for r in body["rejects"]] == [
        (1, "id_number_check"), (2, "not_an_object")]
    assert _persons(env) == 1
    assert _audit(env, "ingest.push") == 1
    source = env.execute(text("SELECT source FROM persons")).scalar_one()
    assert source == "registry"
    again = client.post("/api/v1/ingest/persons", json={"records": RECORDS[:1]},
                        headers={"X-Api-Key": key})
    assert again.json()["unchanged"] == 1


def test_push_without_or_with_a_wrong_key_is_401(client: TestClient, key: str,
                                                  env: Session) -> None:
    assert client.post("/api/v1/ingest/persons", json={"records": RECORDS}).status_code == 401
    wrong = client.post("/api/v1/ingest/persons", json={"records": RECORDS},
                        headers={"X-Api-Key": key[:-4] + "AAAA"})
    assert wrong.status_code == 401
    assert _persons(env) == 0


def test_a_key_for_another_kind_is_403_and_audited_as_refused(
        client: TestClient, key: str, env: Session) -> None:
    response = client.post("/api/v1/ingest/cases", json={"records": []},
                           headers={"X-Api-Key": key})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "kind_not_allowed"
    assert _audit(env, "ingest.refused") == 1


def test_a_revoked_key_is_refused(client: TestClient, key: str, env: Session) -> None:
    revoke_key(env, "registry")
    env.commit()
    assert verify_key(env, key) is None
    response = client.post("/api/v1/ingest/persons", json={"records": RECORDS},
                           headers={"X-Api-Key": key})
    assert response.status_code == 401


def test_more_than_10000_records_are_refused_and_nothing_is_stored(
        client: TestClient, key: str, env: Session) -> None:
    records = [RECORDS[0]] * 10_001
    response = client.post("/api/v1/ingest/persons", json={"records": records},
                           headers={"X-Api-Key": key})
    assert response.status_code == 413
    assert "10000" in response.json()["error"]["message_en"]
    assert _persons(env) == 0
    ok = client.post("/api/v1/ingest/persons", json={"records": records[:10_000]},
                     headers={"X-Api-Key": key})
    assert ok.status_code == 200
    assert (ok.json()["accepted"], ok.json()["unchanged"]) == (1, 9_999)


def test_keys_are_stored_hashed(env: Session, key: str) -> None:
    prefix, stored = env.execute(text("SELECT prefix, key_hash FROM api_keys")).one()
    assert key.startswith(prefix) and key not in stored
    assert verify_key(env, key) is not None


def test_import_command_json_output_report_and_exit_codes(env: Session, tmp_path: Path) -> None:
    bad = [BAD["persons"][0][0], "=cmd|' /C calc'!A0", ""]
    path = write_csv(tmp_path / "p.csv", P_HEADER, [P_ROWS[0], bad])
    report = tmp_path / "rejects.csv"
    out = io.StringIO()
    code = run_import(env, "persons", path, "dept", report, json_output=True, out=out)
    assert code == 1
    assert json.loads(out.getvalue())["accepted"] == 1
    assert {"read", "accepted", "replaced", "unchanged", "rejected"} <= set(
        json.loads(out.getvalue()))
    rows = list(csv.reader(report.open(encoding="utf-8-sig")))
    assert rows[0] == ["row", "codes", "reasons", "record"]
    assert rows[1][0] == "3" and rows[1][1] == "id_number_check"
    assert "=cmd" in rows[1][3] and not rows[1][3].startswith("=")

    good = write_csv(tmp_path / "g.csv", P_HEADER, P_ROWS[1:])
    assert run_import(env, "persons", good, out=io.StringIO()) == 0
    wrong = write_csv(tmp_path / "w.csv", ["name"], [["x"]])
    assert run_import(env, "persons", wrong, out=io.StringIO()) == 2
    assert run_import(env, "pets", good, out=io.StringIO()) == 2
    assert run_import(env, "persons", tmp_path / "missing.csv", out=io.StringIO()) == 2


def test_import_command_text_summary(env: Session, tmp_path: Path) -> None:
    out = io.StringIO()
    path = write_csv(tmp_path / "p.csv", P_HEADER, P_ROWS)
    assert run_import(env, "persons", path, out=out) == 0
    assert "read 2, accepted 2, replaced 0, unchanged 0, rejected 0" in out.getvalue()


def test_sources_commands_create_list_revoke(tmp_path: Path, settings: Settings) -> None:
    import typer
    from typer.testing import CliRunner

    from venuecode.config import set_settings
    from venuecode.ingest.cli import import_command, sources_app

    set_settings(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/cli.db"}))
    app = typer.Typer()
    app.command("import")(import_command)
    app.add_typer(sources_app, name="sources")
    runner = CliRunner()
    created = runner.invoke(app, ["sources", "create", "lab-3", "--kinds",
                                  "nucleic_acid_tests,cases"])
    assert created.exit_code == 0, created.output
    [key] = [w for w in created.output.split() if w.startswith("vc_")]
    listed = runner.invoke(app, ["sources", "list"])
    assert "lab-3" in listed.output and key[:12] in listed.output and key not in listed.output
    assert "never used" in listed.output
    assert runner.invoke(app, ["sources", "create", "x", "--kinds", "pets"]).exit_code == 1
    assert runner.invoke(app, ["sources", "revoke", "lab-3"]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["sources", "list"]).output

    path = write_csv(tmp_path / "p.csv", P_HEADER, P_ROWS)
    result = runner.invoke(app, ["import", "persons", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accepted"] == 2


def test_a_nul_character_rejects_only_its_record(client: TestClient, key: str,
                                                 env: Session) -> None:
    nul = {**RECORDS[1], "name": "李\x00四"}
    response = client.post("/api/v1/ingest/persons", json={"records": [RECORDS[0], nul]},
                           headers={"X-Api-Key": key})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert [(r["index"], r["reasons"][0]["code"], r["reasons"][0]["field"])
            for r in body["rejects"]] == [(1, "nul_character", "name")]
    assert _persons(env) == 1
