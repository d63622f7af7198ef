"""Rules 6-7: exposed venues, the JSON shape, export rows and progress reports."""

from __future__ import annotations

from venuecode.timeutil import from_micros
from venuecode.tracing.core import (
    CONTACT_COLUMNS,
    CaseWindow,
    Interval,
    TraceOptions,
    contact_rows,
    result_to_json_dict,
    trace,
)
from venuecode.tracing.memory import InMemorySource

from .city import at, case, run, visit

CHECKINS = [
    visit("C1", "cafe", "10:00", "10:30"),
    visit("C1", "bar", "11:00", "11:20"),
    visit("C2", "cafe", "10:20", "10:40"),
    visit("K", "cafe", "10:00", "10:20"),
    visit("K", "bar", "12:00", "12:30"),
    visit("S", "bar", "12:00", "12:30"),
]


def iso(micros: int) -> str:
    return from_micros(micros).isoformat()


def test_exposed_venues_list_every_case_exposure_interval() -> None:
    result = run(CHECKINS, [case("C1"), case("C2")])
    assert [(v.venue, v.intervals) for v in result.venues] == [
        ("bar", [Interval("C1", "bar", at("11:00"), at("11:20"))]),
        (
            "cafe",
            [
                Interval("C1", "cafe", at("10:00"), at("10:30")),
                Interval("C2", "cafe", at("10:20"), at("10:40")),
            ],
        ),
    ]


def test_exposed_venues_only_count_the_part_inside_the_window() -> None:
    result = run(CHECKINS, [case("C1", isolated="10:10")])
    assert [(v.venue, v.intervals) for v in result.venues] == [
        ("cafe", [Interval("C1", "cafe", at("10:00"), at("10:10"))]),
    ]


def test_the_result_records_cases_windows_and_rules() -> None:
    result = run(CHECKINS, [case("C1", "12:00", isolated="13:00"), case("C2")], depth=3)
    assert result.cases == [
        CaseWindow("C1", at("12:00"), at("13:00"), at("12:00", day=-4), at("13:00")),
        CaseWindow("C2", at("12:00"), None, at("12:00", day=-4), at("23:59")),
    ]
    assert result.as_of == at("23:59")
    assert result.rules == {
        "version": 1,
        "look_back_days": 4,
        "close_minutes": 15,
        "depth": 3,
        "contact_isolated": {},
        "dwell_minutes": {},  # no category's stay overridden
    }


def test_the_json_dict_carries_every_reported_field() -> None:
    data = result_to_json_dict(run(CHECKINS, [case("C1"), case("C2")]), iso)
    assert data["as_of"] == "2022-04-19T23:59:00+00:00"
    assert data["cases"] == [
        {
            "id_number": p,
            "reference": "2022-04-19T12:00:00+00:00",
            "isolated": None,
            "window_start": "2022-04-15T12:00:00+00:00",
            "window_end": "2022-04-19T23:59:00+00:00",
        }
        for p in ("C1", "C2")
    ]
    assert data["contacts"] == [
        {
            "id_number": "K",
            "tier": "close",
            "source": "C1",
            "exposure_minutes": 20.0,
            "evidence": [
                {
                    "venue": "cafe",
                    "start": "2022-04-19T10:00:00+00:00",
                    "end": "2022-04-19T10:20:00+00:00",
                    "minutes": 20.0,
                }
            ],
        },
        {
            "id_number": "S",
            "tier": "secondary",
            "source": "K",
            "exposure_minutes": 30.0,
            "evidence": [
                {
                    "venue": "bar",
                    "start": "2022-04-19T12:00:00+00:00",
                    "end": "2022-04-19T12:30:00+00:00",
                    "minutes": 30.0,
                }
            ],
        },
    ]
    venues = data["venues"]
    assert isinstance(venues, list)
    assert venues[0] == {
        "venue": "bar",
        "intervals": [
            {
                "case": "C1",
                "start": "2022-04-19T11:00:00+00:00",
                "end": "2022-04-19T11:20:00+00:00",
                "minutes": 20.0,
            }
        ],
    }


def test_contact_isolation_times_are_formatted_in_the_rules() -> None:
    result = run(CHECKINS, [case("C1")], contact_isolated={"K": at("12:10")})
    rules = result_to_json_dict(result, iso)["rules"]
    assert isinstance(rules, dict)
    assert rules["contact_isolated"] == {"K": "2022-04-19T12:10:00+00:00"}


def test_export_rows_are_one_per_evidence_item_of_the_json_with_the_same_data() -> None:
    result = run(CHECKINS, [case("C1"), case("C2")])
    rows = [dict(zip(CONTACT_COLUMNS, row, strict=True))
            for row in contact_rows(result_to_json_dict(result, iso))]
    assert rows == [
        {
            "id_number": "K",
            "tier": "close",
            "source": "C1",
            "exposure_minutes": 20.0,
            "venue": "cafe",
            "overlap_start": "2022-04-19T10:00:00+00:00",
            "overlap_end": "2022-04-19T10:20:00+00:00",
            "minutes": 20.0,
        },
        {
            "id_number": "S",
            "tier": "secondary",
            "source": "K",
            "exposure_minutes": 30.0,
            "venue": "bar",
            "overlap_start": "2022-04-19T12:00:00+00:00",
            "overlap_end": "2022-04-19T12:30:00+00:00",
            "minutes": 30.0,
        },
    ]


def test_progress_is_reported_after_each_step() -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        calls.append((stage, done, total))

    source = InMemorySource(CHECKINS, lambda _venue: 60)
    trace([case("C1")], source, TraceOptions(as_of=at("23:59"), depth=3), progress)
    assert calls == [("cases", 1, 4), ("close", 2, 4), ("secondary", 3, 4), ("tertiary", 4, 4)]


def test_the_csv_export_writes_the_call_list_and_venue_rows_in_chinese_as_safe_text() -> None:
    import csv
    import io
    from zoneinfo import ZoneInfo

    from venuecode.tracing.call_list import Place, call_rows
    from venuecode.tracing.export import CALL_COLUMNS, VENUE_COLUMNS, to_csv

    utc = ZoneInfo("UTC")
    result = result_to_json_dict(run(CHECKINS, [case("C1")]), iso)
    result["contacts"][0]["evidence"][0]["venue"] = "=cafe"  # type: ignore[index]
    rows = call_rows(result["contacts"], {}, {"=cafe": Place("=咖啡馆", "文三路 1 号")}, utc)  # type: ignore[arg-type]
    lines = list(csv.reader(io.StringIO(to_csv(result, rows, "mark", utc).decode("utf-8-sig"))))
    assert lines[0] == ["mark"] and lines[3] == list(CALL_COLUMNS)
    k = next(line for line in lines if line[2:3] == ["K"])
    assert k[4:10] == ["密接", "C1", "'=咖啡馆", "文三路 1 号", "2022-04-19 10:00", "20"]
    venues = lines[lines.index(["涉疫场所"]) + 1:]
    assert venues[0] == list(VENUE_COLUMNS)
    assert ["cafe", "cafe", "", "C1", "2022-04-19 10:00", "2022-04-19 10:30", "30"] in venues
