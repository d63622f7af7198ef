"""Streaming readers for CSV, XLSX and JSON Lines files.

Each reader yields `(position, record)` one record at a time, so memory stays flat
whatever the file size. `record` maps column names to text (None when empty) or is a
`Reason` when the row cannot even be split into columns.

Positions are what a person sees: for CSV and XLSX the spreadsheet row number (the
header is row 1, the first data row is row 2; blank rows count but are skipped); for
JSON Lines the line number (the first line is 1); for a push the 0-based list index.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import orjson

from venuecode.ingest import reasons as R
from venuecode.ingest.reasons import Reason

Record = dict[str, str | None]
Item = tuple[int, Record | Reason]
_SCAN_CHUNK = 1 << 20


class FileRefused(Exception):
    """The whole file is unusable (nothing is written); the message says how to fix it."""

    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.zh = zh


# A GB18030 decoder accepts almost any byte string, so a Big5 or Shift-JIS file "decodes"
# too, into rare characters and private-use code points. Real GBK text is mostly GB2312
# characters (names with rare characters are a few per cent), so a file whose non-ASCII
# text is not is refused instead of imported as mojibake.
_GB2312_SHARE_MIN = 0.8
_PLAUSIBILITY_SAMPLE = 65_536  # non-ASCII characters looked at
_PLAUSIBILITY_MIN_CHARS = 8  # fewer say nothing about the encoding, unless private-use
ACCEPTED_ENCODINGS_EN = "UTF-8 (with or without BOM) or GBK/GB18030"


def _refuse_encoding() -> FileRefused:
    return FileRefused(
        "encoding",
        f"the file is not {ACCEPTED_ENCODINGS_EN} text (Big5, Shift-JIS and other "
        "encodings are not accepted); save it as CSV UTF-8",
        "文件编码不是 UTF-8 或 GBK/GB18030（不接受 Big5、Shift-JIS 等编码），请另存为“CSV UTF-8”格式",
    )


def _plausible_chinese(text: str) -> bool:
    sample = [c for c in text if ord(c) > 127][:_PLAUSIBILITY_SAMPLE]
    private_use = sum(0xE000 <= ord(c) <= 0xF8FF for c in sample)
    if len(sample) < _PLAUSIBILITY_MIN_CHARS:
        return private_use == 0
    common = 0
    for c in sample:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= _GB2312_SHARE_MIN * len(sample) and private_use * 100 < len(sample)


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (with or without BOM) or 'gb18030' (GBK's superset), else refuse.

    The whole file is checked up front (C-speed, ~1 GB/s) so a GBK file is never half
    imported before a bad byte turns up deep inside it. A NUL byte anywhere refuses the
    file: it is binary, or text in UTF-16, and PostgreSQL cannot store it.
    """
    lines = 1
    with path.open("rb") as f:
        while chunk := f.read(_SCAN_CHUNK):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                line = lines + chunk.count(b"\n", 0, nul)
                raise FileRefused(
                    "nul_byte",
                    f"line {line} contains a NUL byte: the file is binary or UTF-16; "
                    "save it as CSV UTF-8",
                    f"第 {line} 行含有空字符（NUL），文件不是文本或为 UTF-16 编码，请另存为“CSV UTF-8”格式")
            lines += chunk.count(b"\n")
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        head = ""
        try:
            with path.open("rb") as f:
                while chunk := f.read(_SCAN_CHUNK):
                    text = decoder.decode(chunk)
                    if len(head) < 4 * _PLAUSIBILITY_SAMPLE:
                        head += text[: 4 * _PLAUSIBILITY_SAMPLE]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _plausible_chinese(head):
            break
        return encoding
    raise _refuse_encoding()


def cell_text(value: Any, name: str) -> str | Reason | None:
    """One value from a spreadsheet or JSON as text; formulas stay text as written."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            return R.nul_character(name)  # PostgreSQL text cannot hold NUL
        stripped = value.strip()
        return stripped or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return R.not_text(name)


def object_record(obj: Any, unknown: set[str], known: frozenset[str]) -> Record | Reason:
    """A JSON object (a JSONL line or a pushed record) as a record; notes unknown keys."""
    if not isinstance(obj, dict):
        return R.not_an_object()
    record: Record = {}
    for key, value in obj.items():
        name = str(key).strip().lower()
        if name not in known:
            unknown.add(name)
            continue
        text = cell_text(value, name)
        if isinstance(text, Reason):
            return text
        record[name] = text
    return record


class Reader:
    """Base: `header` (None for JSON Lines), iteration, and progress in 0..1."""

    header: list[str] | None = None

    def __init__(self, path: Path, known: frozenset[str]) -> None:
        self.path = path
        self.known = known
        self.unknown: set[str] = set()
        self._size = max(path.stat().st_size, 1)

    def __iter__(self) -> Iterator[Item]:
        raise NotImplementedError

    def fraction_done(self) -> float:
        return 0.0

    def close(self) -> None:
        return None


def _header(cells: Iterable[Any]) -> list[str]:
    return [str(c).strip().lstrip("\ufeff").lower() if c is not None else "" for c in cells]


class CsvReader(Reader):
    def __init__(self, path: Path, known: frozenset[str]) -> None:
        super().__init__(path, known)
        self.encoding = detect_encoding(path)
        self._raw = path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        self._rows = csv.reader(self._text)
        try:
            first = next(self._rows)
        except StopIteration:
            first = []
        except csv.Error as exc:
            raise FileRefused("csv", f"row 1 is not valid CSV: {exc}",
                              f"第 1 行不是有效的 CSV：{exc}") from None
        self.header = _header(first)

    def __iter__(self) -> Iterator[Item]:
        header = self.header or []
        width = len(header)
        position = 1
        rows = self._rows
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileRefused("csv", f"row {position + 1} is not valid CSV: {exc}",
                                  f"第 {position + 1} 行不是有效的 CSV：{exc}") from None
            position += 1
            if not row or (not row[0].strip() and not "".join(row).strip()):
                continue  # blank line: skipped, but it keeps its row number
            if len(row) != width:
                yield position, Reason(
                    "", "column_count",
                    f"the row has {len(row)} values but the header has {width} columns; "
                    "put values that contain a comma in double quotes",
                    f"该行有 {len(row)} 个值，表头有 {width} 列；含逗号的值请用双引号括起来")
                continue
            yield position, {name: (cell.strip() or None)
                             for name, cell in zip(header, row, strict=True)}

    def fraction_done(self) -> float:
        return min(self._raw.tell() / self._size, 1.0)

    def close(self) -> None:
        self._text.close()


# Limits on what an XLSX may unpack to, checked from the zip directory before openpyxl
# opens it: a few MB of zip can declare gigabytes (openpyxl holds shared strings in memory).
XLSX_MAX_UNCOMPRESSED = 2 << 30
XLSX_MAX_SHARED_STRINGS = 128 << 20
XLSX_MAX_RATIO = 200  # uncompressed / compressed, per member


def _check_xlsx_archive(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused("xlsx", f"the file cannot be opened as XLSX: {exc}",
                          "无法以 XLSX 格式打开该文件") from None
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise FileRefused(
            "xlsx_too_large",
            f"the XLSX unpacks to {total >> 20} MB, more than {XLSX_MAX_UNCOMPRESSED >> 20} MB; "
            "split it or save it as CSV",
            f"该 XLSX 解压后为 {total >> 20} MB，超过 {XLSX_MAX_UNCOMPRESSED >> 20} MB 上限，请拆分或另存为 CSV")
    for member in members:
        if member.filename.lower().endswith("sharedstrings.xml") \
                and member.file_size > XLSX_MAX_SHARED_STRINGS:
            raise FileRefused(
                "xlsx_too_large",
                f"the XLSX's shared text is {member.file_size >> 20} MB, more than "
                f"{XLSX_MAX_SHARED_STRINGS >> 20} MB; save it as CSV",
                f"该 XLSX 的文本表为 {member.file_size >> 20} MB，超过 "
                f"{XLSX_MAX_SHARED_STRINGS >> 20} MB 上限，请另存为 CSV")
        if member.file_size > (1 << 20) and member.file_size > XLSX_MAX_RATIO * max(
                member.compress_size, 1):
            raise FileRefused(
                "xlsx_too_large",
                f"{member.filename} unpacks {member.file_size // max(member.compress_size, 1)}"
                " times its packed size: not a spreadsheet Excel writes; save it as CSV",
                "该 XLSX 的压缩比异常，不是正常的电子表格，请另存为 CSV")


class XlsxReader(Reader):
    def __init__(self, path: Path, known: frozenset[str]) -> None:
        super().__init__(path, known)
        import openpyxl  # imported here: a CSV-only import need not pay for it

        _check_xlsx_archive(path)
        try:
            # data_only=False: a formula cell comes back as its text ("=1+1"), never a value
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise FileRefused("xlsx", f"the file cannot be opened as XLSX: {exc}",
                              "无法以 XLSX 格式打开该文件") from None
        sheet = self._book.worksheets[0]
        # The declared dimension (any writer can claim A1:XFD1048576) is only a progress
        # hint: rows are read as they are, at most one column past the header.
        self._total = max(int(sheet.max_row or 1), 1)
        sheet.reset_dimensions()
        header = _header(next(sheet.iter_rows(max_row=1, values_only=True), ()))
        while header and not header[-1]:
            header.pop()
        self.header = header
        self._rows = sheet.iter_rows(min_row=2, max_col=len(header) + 1, values_only=True)
        self._done = 0

    def __iter__(self) -> Iterator[Item]:
        header = self.header or []
        position = 1
        for row in self._rows:
            position += 1
            self._done = position
            cells = list(row)
            while cells and cells[-1] in (None, ""):
                cells.pop()  # spreadsheets pad rows to the widest one
            if not cells:
                continue
            if len(cells) > len(header):
                yield position, Reason(
                    "", "column_count",
                    f"the row has values beyond the header's {len(header)} columns",
                    f"该行的值超出了表头的 {len(header)} 列")
                continue
            record: Record = {}
            problem: Reason | None = None
            for name, value in zip(header, cells, strict=False):
                text = cell_text(value, name)
                if isinstance(text, Reason):
                    problem = text
                    break
                record[name] = text
            yield position, (problem if problem is not None else record)

    def fraction_done(self) -> float:
        return min(self._done / self._total, 1.0)

    def close(self) -> None:
        self._book.close()


class JsonLinesReader(Reader):
    def __init__(self, path: Path, known: frozenset[str]) -> None:
        super().__init__(path, known)
        self._raw = path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding=detect_encoding(path))

    def __iter__(self) -> Iterator[Item]:
        for position, line in enumerate(self._text, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield position, R.bad_json(str(exc))
                continue
            yield position, object_record(obj, self.unknown, self.known)

    def fraction_done(self) -> float:
        return min(self._raw.tell() / self._size, 1.0)

    def close(self) -> None:
        self._text.close()


def open_reader(path: Path, known: frozenset[str]) -> Reader:
    """The reader for the file's extension; refuse a missing file or unknown type."""
    if not path.is_file():
        raise FileRefused("missing", f"no such file: {path}", f"文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return CsvReader(path, known)
    if suffix in (".xlsx", ".xlsm"):
        return XlsxReader(path, known)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return JsonLinesReader(path, known)
    raise FileRefused("file_type",
                      f"unknown file type {suffix!r}; use .csv, .xlsx or .jsonl",
                      f"不支持的文件类型 {suffix!r}，请使用 .csv、.xlsx 或 .jsonl")
