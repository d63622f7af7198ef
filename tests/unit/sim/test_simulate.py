"""The synthetic city: spec formats, validity, determinism and the shape of a day."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from venuecode.people.idnumber import parse_id_number
from venuecode.sim.city import SimParams, default_end
from venuecode.sim.cli import simulate_command
from venuecode.sim.facts import luhn_digit
from venuecode.sim.fastcsv import Timeline
from venuecode.sim.writer import generate_city, read_city

END = date(2026, 11, 20)
END_AT = datetime.fromisoformat("2026-11-20T00:00:00+08:00")
START_AT = END_AT - timedelta(days=3)
PARAMS = SimParams(persons=300, venues=40, days=3, seed=7, end=END, cases=6)

# Written out from docs data-interfaces.md rather than imported, so a drift fails here.
SPEC_COLUMNS = {
    "persons": ["id_number", "name", "phone"],
    "venues": ["venue_id", "name", "category", "district", "address", "dwell_minutes"],
    "checkins": ["id_number", "venue_id", "scanned_at", "checked_out_at"],
    "health_codes": ["id_number", "color", "since", "reason"],
    "nucleic_acid_tests": ["id_number", "sampled_at", "result", "reported_at", "institution"],
    "vaccinations": ["id_number", "dose", "vaccinated_at", "product"],
    "itineraries": ["id_number", "city", "arrived_at", "left_at"],
    "risk_areas": ["area", "level", "since", "until"],
    "citizen_cards": ["card_number", "id_number"],
    "cases": ["id_number", "reference_time", "isolated_at", "kind"],
}


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(PARAMS, out)
    return out


@pytest.fixture(scope="module")
def city(city_dir: Path) -> dict[str, list[dict[str, str]]]:
    return read_city(city_dir)


def instant(text: str) -> datetime:
    assert text.endswith("+08:00") and "T" in text and len(text) == 25, text
    return datetime.fromisoformat(text)


def slugs() -> set[str]:
    # The packaged copy: test_docs checks that it equals the shared spec.
    path = Path(__file__).parents[3] / "src/venuecode/categories.csv"
    with path.open(encoding="utf-8") as f:
        return {r["slug"] for r in csv.DictReader(f)}


def test_every_file_has_exactly_the_spec_columns(city_dir: Path) -> None:
    for kind, columns in SPEC_COLUMNS.items():
        with (city_dir / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == columns, kind
        assert all(len(r) == len(columns) for r in rows[1:]), kind
        assert len(rows) > 1, f"{kind} is empty"


def test_manifest_counts_the_rows(city_dir: Path, city: dict[str, list[dict[str, str]]]) -> None:
    manifest = json.loads((city_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["persons"] == 300
    assert manifest["rows"] == {k: len(v) for k, v in city.items()}


def test_persons_have_valid_unique_id_numbers_names_and_phones(
    city: dict[str, list[dict[str, str]]],
) -> None:
    persons = city["persons"]
    assert len(persons) == 300
    assert len({p["id_number"] for p in persons}) == 300
    for p in persons:
        parse_id_number(p["id_number"], today=END)
        assert 2 <= len(p["name"]) <= 4
        assert len(p["phone"]) == 11 and p["phone"][0] == "1" and p["phone"][1] in "3456789"
    assert any(p["id_number"].startswith("3301") for p in persons)
    assert any(not p["id_number"].startswith("33") for p in persons)


def test_venues_cover_every_category_with_hangzhou_ids(
    city: dict[str, list[dict[str, str]]],
) -> None:
    venues = city["venues"]
    assert {v["category"] for v in venues} == slugs()
    for v in venues:
        assert v["venue_id"].startswith("HZ-330") and len(v["venue_id"]) == 16
        assert v["district"] and v["address"].startswith("浙江省杭州市")
        assert v["dwell_minutes"] == "" or int(v["dwell_minutes"]) > 0
    assert len({v["venue_id"] for v in venues}) == len(venues)


def test_checkins_refer_to_known_persons_and_venues(
    city: dict[str, list[dict[str, str]]],
) -> None:
    venues = {v["venue_id"] for v in city["venues"]}
    persons = {p["id_number"] for p in city["persons"]}
    for c in city["checkins"]:
        assert c["venue_id"] in venues
        assert c["id_number"] in persons


def test_checkins_lie_in_the_window_and_exit_after_entry(
    city: dict[str, list[dict[str, str]]],
) -> None:
    exits = 0
    for c in city["checkins"]:
        at = instant(c["scanned_at"])
        assert START_AT <= at < END_AT
        if c["checked_out_at"]:
            exits += 1
            out = instant(c["checked_out_at"])
            assert at < out < END_AT
    assert 0.03 < exits / len(city["checkins"]) < 0.2


def test_each_persons_checkins_are_sorted_and_apart(city: dict[str, list[dict[str, str]]]) -> None:
    last: dict[str, datetime] = {}
    for c in city["checkins"]:
        at = instant(c["scanned_at"])
        if c["id_number"] in last:
            assert at > last[c["id_number"]], c
        last[c["id_number"]] = at


def test_about_two_to_four_checkins_per_person_per_day(
    city: dict[str, list[dict[str, str]]],
) -> None:
    assert 1.8 < len(city["checkins"]) / 300 / 3 < 4.5


def test_metro_rush_hour_is_busier_than_midday(city: dict[str, list[dict[str, str]]]) -> None:
    metro = {v["venue_id"] for v in city["venues"] if v["category"] == "metro"}
    hours = Counter(instant(c["scanned_at"]).hour for c in city["checkins"]
                    if c["venue_id"] in metro)
    assert hours[7] + hours[8] > 3 * (hours[12] + hours[13])


def test_cases_are_persons_with_checkins_before_reference_and_cluster(
    city: dict[str, list[dict[str, str]]],
) -> None:
    cases = city["cases"]
    assert len(cases) == 6
    persons = {p["id_number"] for p in city["persons"]}
    by_person: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for c in city["checkins"]:
        by_person[c["id_number"]].append((instant(c["scanned_at"]), c["venue_id"]))
    window_venues: dict[str, set[str]] = {}
    for case in cases:
        assert case["id_number"] in persons
        assert case["kind"] in ("confirmed", "asymptomatic")
        r = instant(case["reference_time"])
        assert START_AT < r < END_AT
        if case["isolated_at"]:
            assert r < instant(case["isolated_at"]) < END_AT
        near = {v for t, v in by_person[case["id_number"]] if r - timedelta(days=4) <= t <= r}
        assert near, case
        window_venues[case["id_number"]] = near
    shared = Counter(v for vs in window_venues.values() for v in vs)
    assert max(shared.values()) >= 2  # an outbreak venue


def test_facts_are_well_formed(city: dict[str, list[dict[str, str]]]) -> None:
    persons = {p["id_number"] for p in city["persons"]}
    codes = city["health_codes"]
    assert sorted(c["id_number"] for c in codes) == sorted(persons)
    assert {c["color"] for c in codes} <= {"green", "yellow", "red"}
    cases = {c["id_number"] for c in city["cases"]}
    assert all(c["color"] == "red" and c["reason"] for c in codes if c["id_number"] in cases)
    tests = city["nucleic_acid_tests"]
    assert {t["result"] for t in tests} <= {"negative", "positive", "pending"}
    assert {t["id_number"] for t in tests if t["result"] == "positive"} == cases
    for t in tests:
        assert instant(t["sampled_at"]) < END_AT
        assert (t["result"] == "pending") == (t["reported_at"] == "")
    doses = Counter(v["id_number"] for v in city["vaccinations"])
    assert max(doses.values()) <= 3
    for v in city["vaccinations"]:
        assert v["dose"] in ("1", "2", "3") and instant(v["vaccinated_at"]) < END_AT
    for i in city["itineraries"]:
        assert i["id_number"] in persons and i["city"].endswith("市")
    assert {a["level"] for a in city["risk_areas"]} <= {"high", "medium", "low"}


def test_citizen_cards_are_unique_16_digit_luhn_numbers(
    city: dict[str, list[dict[str, str]]],
) -> None:
    cards = city["citizen_cards"]
    assert 0.5 < len(cards) / 300 < 0.95
    numbers = [c["card_number"] for c in cards]
    assert len(set(numbers)) == len(numbers)
    for n in numbers:
        assert len(n) == 16 and n.startswith("3301") and n.isdigit()
        digits = [int(d) for d in reversed(n)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                    for i, d in enumerate(digits))
        assert total % 10 == 0, n


def test_luhn_digit_of_a_known_number() -> None:
    body = np.frombuffer(b"7992739871", np.uint8).reshape(1, 10)
    assert bytes(luhn_digit(body)) == b"3"


def test_same_seed_same_bytes_other_seed_other_city(tmp_path: Path, city_dir: Path) -> None:
    generate_city(PARAMS, tmp_path / "again")
    for f in sorted(city_dir.iterdir()):
        assert (tmp_path / "again" / f.name).read_bytes() == f.read_bytes(), f.name
    other = SimParams(persons=300, venues=40, days=3, seed=8, end=END, cases=6)
    generate_city(other, tmp_path / "other")
    for kind in ("persons", "venues", "checkins"):
        name = f"{kind}.csv"
        assert (tmp_path / "other" / name).read_bytes() != (city_dir / name).read_bytes()


def test_timeline_formats_like_datetime() -> None:
    tl = Timeline(date(2022, 4, 1), 14)
    t = np.array([0, 1, 86_399, 86_400, 3 * 86_400 + 8 * 3600 + 207, 14 * 86_400 - 1,
                  -86_400, 20 * 86_400 + 59], np.int64)
    text = tl.field(t).data.tobytes().decode()
    expected = "".join(tl.iso(int(x)) for x in t)
    assert text == expected
    assert tl.iso(3 * 86_400 + 8 * 3600 + 207) == "2022-04-04T08:03:27+08:00"


def test_default_end_is_never_in_the_future() -> None:
    assert default_end() <= (datetime.now().astimezone() + timedelta(days=1)).date()


def test_params_refuse_too_few_venues() -> None:
    with pytest.raises(ValueError, match="venues"):
        SimParams(persons=10, venues=5, days=1, seed=1, end=END)


def test_command_writes_a_city_and_refuses_other_formats(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("simulate")(simulate_command)
    app.command("other")(lambda: None)  # keeps "simulate" a sub-command, as in the real CLI
    runner = CliRunner()
    out = tmp_path / "c"
    args = ["simulate", "--persons", "50", "--venues", "35", "--days", "1", "--seed", "3",
            "--end", "2026-11-01", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists() and "checkins.csv" in result.output
    bad = runner.invoke(app, [*args, "--format", "xlsx"])
    assert bad.exit_code != 0
    future = runner.invoke(app, [*args[:-4], "--end", "2999-01-01", "--output", str(out)])
    assert future.exit_code != 0
