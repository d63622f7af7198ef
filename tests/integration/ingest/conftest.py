"""Fixtures for the data-interface tests: small files built in tmp_path, sample records."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.ingest.service import BatchSummary, import_file
from venuecode.people.idnumber import make_id_number

ID_A = make_id_number("110101", date(1990, 1, 1), 123)
ID_B = make_id_number("310104", date(1985, 6, 30), 42)
# Same 17 digits as ID_A with a wrong check character.
ID_BAD_CHECK = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")

# For each kind: header, two good rows, one bad row and the reason code it must get.
GOOD: dict[str, tuple[list[str], list[list[str]]]] = {
    "persons": (["id_number", "name", "phone"],
                [[ID_A, "张三", "13800000000"], [ID_B, "李四", ""]]),
    "venues": (["venue_id", "name", "category", "district", "address", "dwell_minutes"],
               [["V1", "人民广场站", "metro", "黄浦区", "人民大道", "30"],
                ["V2", "Cafe, Corner", "restaurant", "", "", ""]]),
    "checkins": (["id_number", "venue_id", "scanned_at", "checked_out_at"],
                 [[ID_A, "V1", "2022-04-18T08:00:00+08:00", "2022-04-18T09:00:00+08:00"],
                  [ID_B, "V1", "2022-04-18 10:00:00", ""]]),
    "health_codes": (["id_number", "color", "since", "reason"],
                     [[ID_A, "green", "2022-04-10", ""], [ID_B, "yellow", "2022-04-11T12:00:00Z",
                                                          "close contact"]]),
    "nucleic_acid_tests": (["id_number", "sampled_at", "result", "reported_at", "institution"],
                           [[ID_A, "2022-04-18T07:00:00+08:00", "negative",
                             "2022-04-18T20:00:00+08:00", "Lab 1"],
                            [ID_B, "2022-04-17", "pending", "", ""]]),
    "vaccinations": (["id_number", "dose", "vaccinated_at", "product"],
                     [[ID_A, "1", "2021-05-01", "CoronaVac"], [ID_A, "2", "2021-06-01", ""]]),
    "itineraries": (["id_number", "city", "arrived_at", "left_at"],
                    [[ID_A, "上海", "2022-04-01T10:00:00+08:00", "2022-04-03"],
                     [ID_B, "北京", "2022-04-02", ""]]),
    "risk_areas": (["area", "level", "since", "until"],
                   [["浦东新区", "high", "2022-04-01", ""], ["黄浦区", "medium", "2022-04-02",
                                                          "2022-04-20"]]),
    "citizen_cards": (["card_number", "id_number"], [["SH0001", ID_A], ["SH0002", ID_B]]),
    "cases": (["id_number", "reference_time", "isolated_at", "kind"],
              [[ID_A, "2022-04-15T09:00:00+08:00", "2022-04-16", "confirmed"],
               [ID_B, "2022-04-14", "", ""]]),
}

BAD: dict[str, tuple[list[str], str, str]] = {
    "persons": ([ID_BAD_CHECK, "王五", ""], "id_number", "id_number_check"),
    "venues": (["V3", "Shop", "spaceship", "", "", ""], "category", "unknown_category"),
    "checkins": ([ID_A, "NOPE", "2022-04-18T08:00:00+08:00", ""], "venue_id", "unknown_venue"),
    "health_codes": ([ID_A, "blue", "2022-04-10", ""], "color", "not_allowed"),
    "nucleic_acid_tests": ([ID_A, "2022-04", "negative", "", ""], "sampled_at", "bad_time"),
    "vaccinations": ([ID_A, "two", "2021-05-01", ""], "dose", "bad_integer"),
    "itineraries": ([ID_A, "", "2022-04-01", ""], "city", "required"),
    "risk_areas": (["浦东新区", "extreme", "2022-04-01", ""], "level", "not_allowed"),
    "citizen_cards": (["SH0003", "12345"], "id_number", "id_number_length"),
    "cases": ([ID_A, "2022-04-15", "", "suspected"], "kind", "not_allowed"),
}

TABLES = {"persons": "persons", "venues": "venues", "checkins": "checkins",
          "health_codes": "health_codes", "nucleic_acid_tests": "nucleic_acid_tests",
          "vaccinations": "vaccinations", "itineraries": "itineraries",
          "risk_areas": "risk_areas", "citizen_cards": "citizen_cards", "cases": "cases"}


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]],
              encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def env(db: Session, settings: Settings, clock: FixedClock) -> Iterator[Session]:
    """A session with test settings (Asia/Shanghai) and the clock at 2022-04-19T08:00Z."""
    yield db


@pytest.fixture
def with_venues(env: Session, tmp_path: Path) -> Session:
    header, rows = GOOD["venues"]
    summary = import_file(env, "venues", write_csv(tmp_path / "venues.csv", header, rows))
    assert summary.accepted == 2
    return env


def counts(summary: BatchSummary) -> tuple[int, int, int, int, int]:
    c = summary.counts()
    return c["read"], c["accepted"], c["replaced"], c["unchanged"], c["rejected"]
