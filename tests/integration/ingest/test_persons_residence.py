"""Data interfaces 1.1: `persons` may carry district and address; version-1 files import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from venuecode.ingest.service import import_file

from .conftest import ID_A, ID_B, counts, write_csv


def _homes(session: Session) -> dict[str, tuple[str | None, str | None]]:
    return {i: (d, a) for i, d, a in session.execute(
        text("SELECT id_number, district, address FROM persons"))}


def test_district_and_address_are_stored_and_a_version_1_file_still_imports(
        env: Session, tmp_path: Path) -> None:
    v11 = write_csv(tmp_path / "v11.csv", ["id_number", "name", "phone", "district", "address"],
                    [[ID_A, "张三", "13800000001", "拱墅区", "湖墅南路 1 号"],
                     [ID_B, "李四", "", "", ""]])
    assert counts(import_file(env, "persons", v11)) == (2, 2, 0, 0, 0)
    homes = _homes(env)
    assert homes[ID_A] == ("拱墅区", "湖墅南路 1 号") and not homes[ID_B][0]
    v1 = write_csv(tmp_path / "v1.csv", ["id_number", "name"], [[ID_B, "李四"]])
    assert counts(import_file(env, "persons", v1))[4] == 0  # nothing rejected


def test_an_overlong_district_is_rejected_with_its_row(env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "long.csv", ["id_number", "name", "district"],
                     [[ID_A, "张三", "区" * 65]])
    summary = import_file(env, "persons", path)
    assert counts(summary)[4] == 1 and _homes(env) == {}
