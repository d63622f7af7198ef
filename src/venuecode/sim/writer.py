"""Generate a whole city into a folder: one CSV per data-interface kind and a manifest.

`generate_city(params, output)` is the API behind `venuecode simulate`; `city_records`
gives a small city's records in memory (read back from the same files, so tests see
exactly what the command writes).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from venuecode.sim import names
from venuecode.sim.checkins import chunk_checkins
from venuecode.sim.city import (
    SLUGS,
    Persons,
    SimParams,
    Venues,
    build_persons,
    build_venues,
    default_end,
)
from venuecode.sim.facts import citizen_cards, health_codes, nucleic_tests, vaccinations
from venuecode.sim.fastcsv import DAY, Field, Timeline, digits, encode_rows, take, vocab
from venuecode.sim.outbreak import NEVER, Outbreak, Trips, plan_outbreak, plan_trips

# Exact column names of /work/shared/spec/data-interfaces.md, in the spec's order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("id_number", "name", "phone"),
    "venues": ("venue_id", "name", "category", "district", "address", "dwell_minutes"),
    "checkins": ("id_number", "venue_id", "scanned_at", "checked_out_at"),
    "health_codes": ("id_number", "color", "since", "reason"),
    "nucleic_acid_tests": ("id_number", "sampled_at", "result", "reported_at", "institution"),
    "vaccinations": ("id_number", "dose", "vaccinated_at", "product"),
    "itineraries": ("id_number", "city", "arrived_at", "left_at"),
    "risk_areas": ("area", "level", "since", "until"),
    "citizen_cards": ("card_number", "id_number"),
    "cases": ("id_number", "reference_time", "isolated_at", "kind"),
}
# Persons per chunk: fixed (not tuned to the machine) so that output depends on the
# seed only. 20,000 persons x 14 days is ~0.8 million check-ins, ~150 MB of work arrays.
CHUNK = 20_000
FORMAT = "venuecode-sim/1"

Progress = Callable[[str], None]


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


class _Files:
    def __init__(self, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        self.output = output
        self.rows: dict[str, int] = {}

    def open(self, kind: str) -> BinaryIO:
        f = (self.output / f"{kind}.csv").open("wb", buffering=4 * 1024 * 1024)
        f.write((",".join(COLUMNS[kind]) + "\n").encode())
        self.rows[kind] = 0
        return f


def _persons_csv(p: Persons) -> bytes:
    fam = vocab(list(names.FAMILY_NAMES) + list(names.COMPOUND_FAMILY_NAMES))
    k = min(len(names.GIVEN_MALE), len(names.GIVEN_FEMALE))
    given = vocab([*names.GIVEN_MALE[:k], *names.GIVEN_FEMALE[:k], ""])
    # Given-name characters by sex; -1 (no second character) maps to the empty entry.
    g = np.where(p.given >= 0, p.given % k + np.where(p.male, 0, k)[:, None], 2 * k)
    return encode_rows([
        Field(p.ids),
        Field(take(fam[0], p.family), fam[1][p.family], sep=b""),
        Field(take(given[0], g[:, 0]), given[1][g[:, 0]], sep=b""),
        Field(take(given[0], g[:, 1]), given[1][g[:, 1]]),
        Field(digits(p.phone, 11), sep=b"\n"),
    ])


def _venues_csv(v: Venues) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for i in range(len(v.names)):
        w.writerow((v.id_str(i), v.names[i], SLUGS[v.category[i]],
                    names.DISTRICTS[v.district[i]][0], v.addresses[i],
                    int(v.dwell_override[i]) or ""))
    return buf.getvalue().encode()


def _cases_csv(p: Persons, ob: Outbreak, tl: Timeline) -> bytes:
    order = np.argsort(ob.reference, kind="stable")
    lines = []
    for i in order:
        iso = "" if ob.isolated[i] == NEVER else tl.iso(int(ob.isolated[i]))
        kind = "asymptomatic" if ob.asymptomatic[i] else "confirmed"
        lines.append(f"{p.id_str(int(ob.person[i]))},{tl.iso(int(ob.reference[i]))},"
                     f"{iso},{kind}\n")
    return "".join(lines).encode()


def _itineraries_csv(p: Persons, trips: Trips, tl: Timeline) -> bytes:
    lines = []
    for i in range(len(trips.person)):
        left = "" if trips.left[i] == NEVER else tl.iso(int(trips.left[i]))
        lines.append(f"{p.id_str(int(trips.person[i]))},{names.OTHER_CITIES[trips.city[i]]},"
                     f"{tl.iso(int(trips.arrived[i]))},{left}\n")
    return "".join(lines).encode()


def _risk_areas_csv(params: SimParams, v: Venues, ob: Outbreak, tl: Timeline,
                    rng: np.random.Generator) -> tuple[bytes, int]:
    """Some areas elsewhere, and the districts of the first outbreak venues."""
    end = params.days * DAY
    rows = []
    for area in rng.choice(names.RISK_AREAS_ELSEWHERE, size=4, replace=False):
        level = str(rng.choice(["high", "medium", "low"], p=[0.3, 0.4, 0.3]))
        since = end - int(rng.integers(2 * DAY, 12 * DAY))
        until = since + 7 * DAY
        rows.append((str(area), level, tl.iso(since), tl.iso(until) if until < end else ""))
    seen: set[str] = set()
    for venue in ob.cluster_venue[:3]:
        area = "杭州市" + names.DISTRICTS[v.district[venue]][0]
        if area in seen:
            continue
        seen.add(area)
        first = int(ob.reference.min()) if len(ob.reference) else end - DAY
        rows.append((area, "medium", tl.iso(min(first + 6 * 3600, end - 1)), ""))
    text = "".join(",".join(r) + "\n" for r in rows)
    return text.encode(), len(rows)


def generate_city(params: SimParams, output: Path,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Write every kind's CSV and `manifest.json` into `output`; return the manifest."""
    if params.end > default_end():
        raise ValueError("the end date lies in the future: check-ins would too")
    say = progress or (lambda _msg: None)
    files = _Files(output)
    tl = Timeline(params.start, params.days)
    venues = build_venues(params, _rng(params.seed, 0))
    persons = build_persons(params, venues, _rng(params.seed, 1))
    outbreak = plan_outbreak(params, persons, venues, _rng(params.seed, 2))
    trips = plan_trips(params, persons, outbreak, _rng(params.seed, 3))
    say(f"city built: {len(persons):,} persons, {len(venues.names):,} venues")

    def small(kind: str, text: bytes, rows: int) -> None:
        with files.open(kind) as f:
            f.write(text)
        files.rows[kind] = rows

    small("venues", _venues_csv(venues), len(venues.names))
    small("persons", _persons_csv(persons), len(persons))
    small("cases", _cases_csv(persons, outbreak, tl), len(outbreak.person))
    small("itineraries", _itineraries_csv(persons, trips, tl), len(trips.person))
    risk, nrisk = _risk_areas_csv(params, venues, outbreak, tl, _rng(params.seed, 4))
    small("risk_areas", risk, nrisk)
    small("health_codes", health_codes(params, persons, outbreak, tl, _rng(params.seed, 5)),
          len(persons))
    cards, ncards = citizen_cards(persons, _rng(params.seed, 6))
    small("citizen_cards", cards, ncards)

    stats = _Stats(len(venues.names), params.days)
    isolation = outbreak.isolation_by_person(len(persons))
    away = trips.away_by_person(len(persons))
    chunks = range(0, len(persons), CHUNK)
    with files.open("checkins") as ck, files.open("nucleic_acid_tests") as nt, \
            files.open("vaccinations") as vc:
        for c, lo in enumerate(chunks):
            hi = min(lo + CHUNK, len(persons))
            ev = chunk_checkins(params, persons, venues, outbreak, trips, isolation, away,
                                lo, hi, _rng(params.seed, 10, c))
            ck.write(encode_rows([
                Field(take(persons.ids, ev.person)),
                Field(take(venues.ids, ev.venue)),
                tl.field(ev.time),
                tl.field(ev.checkout, present=ev.checkout >= 0, sep=b"\n"),
            ]))
            files.rows["checkins"] += len(ev)
            stats.add(ev.venue, ev.time, ev.checkout)
            text, rows = nucleic_tests(params, persons, outbreak, tl, lo, hi,
                                       _rng(params.seed, 11, c))
            nt.write(text)
            files.rows["nucleic_acid_tests"] += rows
            text, rows = vaccinations(params, persons, lo, hi, _rng(params.seed, 12, c))
            vc.write(text)
            files.rows["vaccinations"] += rows
            if c % 10 == 9:
                say(f"{hi:,} persons, {files.rows['checkins']:,} check-ins")
    manifest = {
        "format": FORMAT,
        "parameters": {
            "persons": params.persons, "venues": params.venues, "days": params.days,
            "seed": params.seed, "end": params.end.isoformat(), "cases": params.case_count,
            "format": "csv",
        },
        "window": {"from": tl.iso(0), "to": tl.iso(params.days * DAY)},
        "rows": {k: files.rows[k] for k in COLUMNS},
        "bytes": {k: (output / f"{k}.csv").stat().st_size for k in COLUMNS},
        "checkins": stats.summary(venues, params),
        "citizen_card_format": "3301 + 11-digit serial + Luhn check digit (16 digits)",
    }
    (output / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


class _Stats:
    """Scans per venue and exit-scan count, for the manifest."""

    def __init__(self, venues: int, days: int) -> None:
        self.per_venue = np.zeros(venues, np.int64)
        self.exits = 0
        self.days = days

    def add(self, venue: np.ndarray[Any, Any], time: np.ndarray[Any, Any],
            checkout: np.ndarray[Any, Any]) -> None:
        self.per_venue += np.bincount(venue, minlength=len(self.per_venue))
        self.exits += int((checkout >= 0).sum())

    def summary(self, v: Venues, params: SimParams) -> dict[str, Any]:
        total = int(self.per_venue.sum())
        top = np.argsort(-self.per_venue, kind="stable")[:5]
        return {
            "per_person_per_day": round(total / params.persons / params.days, 3),
            "exit_scan_share": round(self.exits / max(total, 1), 3),
            "busiest_venues": [
                {"venue_id": v.id_str(int(i)), "name": v.names[int(i)],
                 "category": SLUGS[v.category[int(i)]],
                 "scans_per_day": round(int(self.per_venue[i]) / self.days, 1)}
                for i in top
            ],
        }


def read_city(output: Path) -> dict[str, list[dict[str, str]]]:
    """Every kind's rows from a generated folder, as dictionaries of strings."""
    out: dict[str, list[dict[str, str]]] = {}
    for kind in COLUMNS:
        with (output / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            out[kind] = list(csv.DictReader(f))
    return out


def city_records(params: SimParams) -> dict[str, list[dict[str, str]]]:
    """A small city in memory (generated into a temporary folder and read back)."""
    with tempfile.TemporaryDirectory(prefix="venuecode-sim-") as tmp:
        generate_city(params, Path(tmp))
        return read_city(Path(tmp))
