"""Every kind of the spec: a good file, a mixed file, and the same file twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from venuecode.ingest.service import import_file

from .conftest import BAD, GOOD, TABLES, counts, write_csv

KINDS = sorted(GOOD)


def _session(request: pytest.FixtureRequest, kind: str) -> Session:
    name = "with_venues" if kind == "checkins" else "env"
    session: Session = request.getfixturevalue(name)
    return session


def _rows_in(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_file_is_stored_whole(kind: str, request: pytest.FixtureRequest,
                                     tmp_path: Path) -> None:
    session = _session(request, kind)
    before = _rows_in(session, TABLES[kind])
    header, rows = GOOD[kind]
    summary = import_file(session, kind, write_csv(tmp_path / "good.csv", header, rows),
                          source="test-dept")
    assert counts(summary) == (2, 2, 0, 0, 0)
    assert summary.rejects == []
    assert _rows_in(session, TABLES[kind]) == before + 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_mixed_file_keeps_good_rows_and_rejects_bad_ones_with_row_and_reason(
        kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    session = _session(request, kind)
    before = _rows_in(session, TABLES[kind])
    header, rows = GOOD[kind]
    bad_row, field, code = BAD[kind]
    path = write_csv(tmp_path / "mixed.csv", header, [rows[0], bad_row, rows[1]])
    summary = import_file(session, kind, path)
    assert counts(summary) == (3, 2, 0, 0, 1)
    [rejected] = summary.rejects
    assert rejected.position == 3  # header is row 1, the bad row is the second data row
    assert [(r.field, r.code) for r in rejected.reasons] == [(field, code)]
    assert rejected.reasons[0].en and rejected.reasons[0].zh
    assert _rows_in(session, TABLES[kind]) == before + 2
    stored = session.execute(
        text("SELECT position, reasons FROM ingest_rejects WHERE batch_id = :b"),
        {"b": summary.batch_id}).all()
    assert [p for p, _ in stored] == [3]


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_file_twice_changes_nothing_the_second_time(
        kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    session = _session(request, kind)
    header, rows = GOOD[kind]
    path = write_csv(tmp_path / "twice.csv", header, rows)
    first = import_file(session, kind, path)
    assert counts(first) == (2, 2, 0, 0, 0)
    snapshot = session.execute(text(f"SELECT * FROM {TABLES[kind]} ORDER BY 1")).all()
    second = import_file(session, kind, path)
    assert counts(second) == (2, 0, 0, 2, 0)
    assert session.execute(text(f"SELECT * FROM {TABLES[kind]} ORDER BY 1")).all() == snapshot


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("venues",)])
def test_a_record_with_an_existing_key_that_differs_replaces_it(
        kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    session = _session(request, kind)
    header, rows = GOOD[kind]
    import_file(session, kind, write_csv(tmp_path / "a.csv", header, rows[:1]))
    changed = list(rows[0])
    # Change the last column, which is never part of a natural key in these samples.
    changed[-1] = {"persons": "13900000000", "checkins": "2022-04-18T09:30:00+08:00",
                   "health_codes": "re-checked", "nucleic_acid_tests": "Lab 2",
                   "vaccinations": "Comirnaty", "itineraries": "2022-04-04",
                   "risk_areas": "2022-04-30", "citizen_cards": ID_B_FOR_CARD,
                   "cases": "asymptomatic"}[kind]
    summary = import_file(session, kind, write_csv(tmp_path / "b.csv", header, [changed]))
    assert counts(summary) == (1, 0, 1, 0, 0)


ID_B_FOR_CARD = GOOD["persons"][1][1][0]


def test_reimported_venue_with_new_data_is_replaced_and_stays_approved(
        with_venues: Session, tmp_path: Path) -> None:
    header, rows = GOOD["venues"]
    changed = [rows[0][0], "人民广场站（新）", *rows[0][2:]]
    summary = import_file(with_venues, "venues",
                          write_csv(tmp_path / "v2.csv", header, [changed]))
    assert counts(summary) == (1, 0, 1, 0, 0)
    name, status, issue = with_venues.execute(
        text("SELECT name, status, code_issue FROM venues WHERE venue_id = 'V1'")).one()
    assert (name, status, issue) == ("人民广场站（新）", "approved", 1)
