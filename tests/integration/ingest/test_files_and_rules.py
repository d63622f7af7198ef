"""Encodings, formats, header problems and the per-record rules."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from venuecode.ingest.readers import FileRefused
from venuecode.ingest.service import import_file
from venuecode.people.idnumber import make_id_number

from .conftest import BAD, GOOD, ID_A, ID_B, ID_BAD_CHECK, counts, write_csv

P_HEADER, P_ROWS = GOOD["persons"]
C_HEADER = GOOD["checkins"][0]


def _names(session: Session) -> dict[str, str]:
    return {i: n for i, n in session.execute(text("SELECT id_number, name FROM persons"))}


def test_utf8_with_bom_is_read(env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bom.csv", P_HEADER, P_ROWS, encoding="utf-8-sig")
    assert counts(import_file(env, "persons", path)) == (2, 2, 0, 0, 0)
    assert _names(env)[ID_A] == "张三"


def test_gbk_file_is_detected_and_decoded(env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", P_HEADER, P_ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_text("utf-8")
    assert counts(import_file(env, "persons", path)) == (2, 2, 0, 0, 0)
    assert _names(env) == {ID_A: "张三", ID_B: "李四"}


def test_undecodable_file_is_refused(env: Session, tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"id_number,name\n\x80\xff\xfe,x\n")
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "encoding"


def test_missing_required_column_refuses_the_whole_file_before_writing(
        env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wrong.csv", ["id_number", "full_name"], [[ID_A, "张三"]])
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "missing_column"
    assert "name" in refused.value.en
    assert env.execute(text("SELECT count(*) FROM ingest_batches")).scalar_one() == 0
    assert _names(env) == {}


def test_unknown_extra_columns_are_ignored_with_a_warning(env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "extra.csv", [*P_HEADER, "blood_type"],
                     [[*P_ROWS[0], "A"]])
    summary = import_file(env, "persons", path)
    assert counts(summary) == (1, 1, 0, 0, 0)
    assert any("blood_type" in w for w in summary.warnings)


def test_quoted_comma_and_empty_line_keep_row_numbers(env: Session, tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        "id_number,name,phone\n"
        f'{ID_A},"Zhang, San",\n'
        "\n"
        f"{ID_BAD_CHECK},Wang,\n"
        f"{ID_B},Li,1,extra\n", "utf-8")
    summary = import_file(env, "persons", path)
    assert counts(summary) == (3, 1, 0, 0, 2)
    assert _names(env)[ID_A] == "Zhang, San"
    assert [(r.position, r.reasons[0].code) for r in summary.rejects] == [
        (4, "id_number_check"), (5, "column_count")]


def test_date_without_a_day_is_rejected_with_a_reason(env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hc.csv", ["id_number", "color", "since"],
                     [[ID_A, "green", "2022-04"]])
    summary = import_file(env, "health_codes", path)
    [reason] = summary.rejects[0].reasons
    assert (summary.rejects[0].position, reason.field, reason.code) == (2, "since", "bad_time")
    assert "year, month and day" in reason.en


def test_checkin_rules(with_venues: Session, tmp_path: Path) -> None:
    rows = [
        [ID_A, "V1", "2022-04-19T16:00:01+08:00", ""],  # one second after now: future
        [ID_A, "V1", "2022-04-18T08:00:00+08:00", "2022-04-18T08:00:00+08:00"],  # not later
        [ID_A, "V404", "2022-04-18T08:00:00+08:00", ""],
        [ID_A, "V1", "2022-04-19T16:00:00+08:00", ""],  # exactly now: fine
    ]
    summary = import_file(with_venues, "checkins", write_csv(tmp_path / "c.csv", C_HEADER, rows))
    assert counts(summary) == (4, 1, 0, 0, 3)
    assert [(r.position, [x.code for x in r.reasons]) for r in summary.rejects] == [
        (2, ["in_future"]), (3, ["checkout_not_after_scan"]), (4, ["unknown_venue"])]


def test_natural_key_times_compare_as_instants(with_venues: Session, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "1.csv", C_HEADER, [[ID_A, "V1", "2022-04-11T00:00:00Z", ""]])
    assert counts(import_file(with_venues, "checkins", first)) == (1, 1, 0, 0, 0)
    same = write_csv(tmp_path / "2.csv", C_HEADER, [
        [ID_A, "V1", "2022-04-11T08:00:00+08:00", ""], [ID_A, "V1", "2022-04-11 08:00:00", ""]])
    assert counts(import_file(with_venues, "checkins", same)) == (2, 0, 0, 2, 0)


def test_duplicate_row_in_one_file_counts_the_second_as_unchanged(
        env: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", P_HEADER, [P_ROWS[0], P_ROWS[1], P_ROWS[0]])
    assert counts(import_file(env, "persons", path)) == (3, 2, 0, 1, 0)


def test_health_code_latest_since_wins(env: Session, tmp_path: Path) -> None:
    header = ["id_number", "color", "since"]
    import_file(env, "health_codes", write_csv(tmp_path / "1.csv", header,
                                               [[ID_A, "yellow", "2022-04-10"]]))
    older = write_csv(tmp_path / "2.csv", header, [[ID_A, "red", "2022-04-09"]])
    assert counts(import_file(env, "health_codes", older)) == (1, 0, 0, 1, 0)
    newer = write_csv(tmp_path / "3.csv", header, [[ID_A, "green", "2022-04-12"]])
    assert counts(import_file(env, "health_codes", newer)) == (1, 0, 1, 0, 0)
    assert env.execute(text("SELECT color FROM health_codes")).scalar_one() == "green"


def test_formula_cells_are_stored_as_text(env: Session, tmp_path: Path) -> None:
    rows = [[ID_A, "=HYPERLINK(\"http://x\")", "+8613800000000"], [ID_B, "@SUM(A1)", "-1"]]
    assert counts(import_file(env, "persons", write_csv(tmp_path / "f.csv", P_HEADER, rows))
                  )[1] == 2
    assert _names(env) == {ID_A: "=HYPERLINK(\"http://x\")", ID_B: "@SUM(A1)"}


def test_xlsx_first_sheet_is_read_and_formulas_stay_text(env: Session, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(P_HEADER)
    sheet.append([ID_A, "=1+1", 13800000000])
    sheet.append([ID_BAD_CHECK, "王五", None])
    book.create_sheet("ignored").append(["nothing", "here"])
    path = tmp_path / "persons.xlsx"
    book.save(path)
    summary = import_file(env, "persons", path)
    assert counts(summary) == (2, 1, 0, 0, 1)
    assert summary.rejects[0].position == 3
    assert env.execute(text("SELECT name, phone FROM persons")).one() == ("=1+1", "13800000000")


def test_jsonl_lines_are_numbered_from_one(env: Session, tmp_path: Path) -> None:
    path = tmp_path / "persons.jsonl"
    lines = [orjson.dumps({"id_number": ID_A, "name": "张三", "phone": 13800000000}),
             b"", b"{not json", orjson.dumps([1, 2]),
             orjson.dumps({"id_number": ID_B, "name": "李四", "shoe_size": 42})]
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = import_file(env, "persons", path)
    assert counts(summary) == (4, 2, 0, 0, 2)
    assert [(r.position, r.reasons[0].code) for r in summary.rejects] == [
        (3, "bad_json"), (4, "not_an_object")]
    assert any("shoe_size" in w for w in summary.warnings)


def test_unknown_kind_and_missing_file_are_refused(env: Session, tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as unknown:
        import_file(env, "pets", write_csv(tmp_path / "x.csv", ["a"], [["b"]]))
    assert unknown.value.code == "unknown_kind"
    with pytest.raises(FileRefused) as missing:
        import_file(env, "persons", tmp_path / "nope.csv")
    assert missing.value.code == "missing"


def test_provenance_is_kept(env: Session, tmp_path: Path) -> None:
    summary = import_file(env, "persons", write_csv(tmp_path / "p.csv", P_HEADER, P_ROWS[:1]),
                          source="police-registry")
    source, batch, received = env.execute(
        text("SELECT source, batch_id, received_at FROM persons")).one()
    assert (source, batch) == ("police-registry", summary.batch_id)
    assert received == 1650355200000000  # the fixed clock, 2022-04-19T08:00Z, in microseconds


def test_chunks_smaller_than_the_file_give_the_same_counts(env: Session, tmp_path: Path) -> None:
    bad = BAD["persons"][0]
    path = write_csv(tmp_path / "p.csv", P_HEADER, [P_ROWS[0], bad, P_ROWS[1], P_ROWS[0]])
    assert counts(import_file(env, "persons", path, chunk=1)) == (4, 2, 0, 1, 1)


@pytest.mark.parametrize(("encoding", "names"), [
    ("big5", ["張三豐", "陳小明", "黃大偉", "林志玲"]),
    ("shift_jis", ["山田太郎", "佐藤花子", "さとう", "カタカナ"]),
])
def test_big5_and_shift_jis_files_are_refused_not_imported_as_mojibake(
        env: Session, tmp_path: Path, encoding: str, names: list[str]) -> None:
    path = write_csv(tmp_path / f"{encoding}.csv", P_HEADER,
                     [[ID_A, names[0], ""], [ID_B, "".join(names[1:]), ""]], encoding=encoding)
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "encoding"
    assert "UTF-8" in refused.value.en and "GBK" in refused.value.en
    assert "Big5" in refused.value.zh
    assert _names(env) == {}


def test_gbk_names_with_a_few_rare_characters_are_still_accepted(
        env: Session, tmp_path: Path) -> None:
    # 喆 and 堃 are outside GB2312 but common in names.
    rows = [[ID_A, "张喆", ""], [ID_B, "李堃", ""]]
    extra = [[make_id_number("110101", date(1990, 1, 2), n), name, ""]
             for n, name in enumerate(["王小明", "赵钱孙", "周吴郑", "冯陈楚"], start=1)]
    path = write_csv(tmp_path / "gbk-rare.csv", P_HEADER, rows + extra, encoding="gbk")
    assert counts(import_file(env, "persons", path))[1] == 6
    assert _names(env)[ID_A] == "张喆"


def test_a_nul_byte_mid_file_refuses_it_with_its_line_before_writing(
        env: Session, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(("id_number,name,phone\n" f"{ID_A},张三,\n").encode()
                     + f"{ID_B},李\x00四,\n".encode())
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "nul_byte"
    assert "line 3" in refused.value.en
    assert _names(env) == {}
    assert env.execute(text("SELECT count(*) FROM ingest_batches")).scalar_one() == 0


def _rewrite_xlsx(source: Path, target: Path, edit: dict[str, bytes]) -> Path:
    """Copy an XLSX, replacing some of its members (hostile files are hand-edited zips)."""
    import zipfile

    with zipfile.ZipFile(source) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, edit.get(item.filename, src.read(item.filename)))
        for name, data in edit.items():
            if name not in src.namelist():
                out.writestr(name, data)
    return target


def _persons_xlsx(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(P_HEADER)
    for row in P_ROWS:
        sheet.append(row)
    path = tmp_path / "plain.xlsx"
    book.save(path)
    return path


def test_xlsx_declaring_every_cell_is_read_by_its_real_rows(env: Session, tmp_path: Path) -> None:
    # A1:XFD1048576 declared and a value in the last column 3,000 rows down: read as
    # declared, every row would be padded to 16,384 columns (minutes of CPU while SQLite's
    # write lock is held). Values more than one column past the header are not read.
    import zipfile

    sheet_name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(_persons_xlsx(tmp_path)) as plain:
        xml = plain.read(sheet_name).decode()
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    xml = xml.replace("</sheetData>",
                      '<row r="3000"><c r="XFD3000" t="inlineStr"><is><t>x</t></is></c></row>'
                      "</sheetData>")
    assert "XFD1048576" in xml
    path = _rewrite_xlsx(_persons_xlsx(tmp_path), tmp_path / "wide.xlsx",
                         {sheet_name: xml.encode()})
    summary = import_file(env, "persons", path)
    assert counts(summary) == (2, 2, 0, 0, 0)
    assert _names(env) == {ID_A: "张三", ID_B: "李四"}


def test_xlsx_whose_shared_text_unpacks_a_hundredfold_is_refused(
        env: Session, tmp_path: Path) -> None:
    bomb = b"<sst>" + b"<si><t>" + b"a" * (8 << 20) + b"</t></si></sst>"
    path = _rewrite_xlsx(_persons_xlsx(tmp_path), tmp_path / "bomb.xlsx",
                         {"xl/sharedStrings.xml": bomb})
    assert path.stat().st_size < 200_000
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "xlsx_too_large"
    assert _names(env) == {}


def test_xlsx_with_more_shared_text_than_the_limit_is_refused(
        env: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from venuecode.ingest import readers

    monkeypatch.setattr(readers, "XLSX_MAX_SHARED_STRINGS", 1 << 20)
    rng = random.Random(7)
    text_ = "".join(f"<si><t>{rng.getrandbits(64)}</t></si>" for _ in range(60_000))
    path = _rewrite_xlsx(_persons_xlsx(tmp_path), tmp_path / "big.xlsx",
                         {"xl/sharedStrings.xml": f"<sst>{text_}</sst>".encode()})
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "xlsx_too_large"
    assert "MB" in refused.value.en


def test_a_file_named_xlsx_that_is_no_zip_is_refused(env: Session, tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"id_number,name\n")
    with pytest.raises(FileRefused) as refused:
        import_file(env, "persons", path)
    assert refused.value.code == "xlsx"
