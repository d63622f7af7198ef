"""A real server on SQLite keeps answering while `venuecode import checkins` writes a large
file in another process: scans, `GET /api/v1/me`, the history page and sign-in all answer
2xx, never "database is locked" (it once answered 500 after 30 s each, for 8 minutes).

Latencies are printed (and written to test-artifacts/sqlite-import-load.json) for
bench/ingest/README.md; the test asserts behaviour, with only a loose ceiling (5 s, a
sixth of the old busy timeout) on any one answer and "under a second" for 99% of them
(before the fix, reads waited for each 20,000-row chunk: 1-3 s at a time).
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, LiveServer, demo_server
from venuecode.demo import VENUES
from venuecode.people.idnumber import make_id_number

ROWS = int(os.environ.get("VENUECODE_TEST_IMPORT_ROWS", "300000"))
CEILING_SECONDS = 5.0
PROMPT_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Its own server and database: the import must not change what other e2e tests see.
    with demo_server(tmp_path_factory.mktemp("load")) as live:
        yield live


@dataclass
class Answer:
    what: str
    status: int
    seconds: float
    body: str


@dataclass
class Probe:
    base: str
    answers: list[Answer] = field(default_factory=list)

    def call(self, what: str, method: str, path: str, body: object | None = None,
             headers: dict[str, str] | None = None) -> dict[str, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"content-type": "application/json",
                                                  **(headers or {})})
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        self.answers.append(Answer(what, status, time.perf_counter() - began, text[:300]))
        try:
            parsed: dict[str, object] = json.loads(text) if text.startswith("{") else {}
        except ValueError:
            parsed = {}
        return parsed


def sign_in(probe: Probe, server: LiveServer, phone: str) -> str:
    probe.call("sign-in", "POST", "/api/v1/auth/sms-code", {"phone": phone})
    answer = probe.call("sign-in", "POST", "/api/v1/auth/login",
                        {"phone": phone, "code": server.sms_code(phone)})
    return str(answer.get("access_token", ""))


def write_checkins(path: Path, rows: int) -> None:
    rng = random.Random(11)
    people = [make_id_number("330106", date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
                             rng.randrange(1000)) for _ in range(20_000)]
    venues = [v[0] for v in VENUES]
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_number", "venue_id", "scanned_at", "checked_out_at"])
        for _ in range(rows):
            at = datetime.fromtimestamp(start + rng.randrange(14 * 86_400), UTC)
            w.writerow([rng.choice(people), rng.choice(venues),
                        at.strftime("%Y-%m-%dT%H:%M:%SZ"), ""])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_scans_reads_and_sign_in_answer_during_a_large_import(
        server: LiveServer, tmp_path: Path) -> None:
    file = tmp_path / "checkins.csv"
    write_checkins(file, ROWS)
    venue_url = next(line.split("\t")[-1] for line in server.cli("venues", "list").splitlines()
                     if line.startswith("HZ-XH-0001\t"))
    probe = Probe(server.url)
    token = sign_in(probe, server, "13800000001")  # the demo citizen, identity bound
    assert token, probe.answers
    auth = {"Authorization": f"Bearer {token}"}
    probe.answers.clear()

    importer = subprocess.Popen(
        [sys.executable, "-m", "venuecode.cli.main", "import", "checkins", str(file), "--json"],
        env=server.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    began = time.monotonic()
    round_no, scans, sign_ins = 0, 0, 0
    while importer.poll() is None:
        round_no += 1
        probe.call("me", "GET", "/api/v1/me", headers=auth)
        probe.call("history", "GET", "/api/v1/me/scans", headers=auth)
        # Within the per-account scan limit (20 a minute) and the SMS limit per address.
        if round_no % 8 == 1 and scans < 18:
            scans += 1
            probe.call("scan", "POST", "/api/v1/scans", {"venue_code": venue_url}, auth)
        if round_no % 20 == 5 and sign_ins < 10:
            sign_ins += 1
            sign_in(probe, server, f"1370000{sign_ins:04d}")
        time.sleep(0.05)
    elapsed = time.monotonic() - began
    out, err = importer.communicate()
    assert importer.returncode == 0, err
    summary = json.loads(out)
    assert summary["read"] == ROWS and summary["accepted"] > ROWS * 0.9

    by_kind: dict[str, list[float]] = {}
    for a in probe.answers:
        by_kind.setdefault(a.what, []).append(a.seconds)
    figures = {what: {"n": len(s), "p50": round(percentile(s, 0.5), 3),
                      "p99": round(percentile(s, 0.99), 3), "max": round(max(s), 3),
                      "over_1s": sum(1 for x in s if x > PROMPT_SECONDS)}
               for what, s in by_kind.items()}
    report = {"rows": ROWS, "import_seconds": round(elapsed, 1),
              "rows_per_s": round(ROWS / elapsed), "load_average": os.getloadavg(),
              "latency_seconds": figures}
    print(json.dumps(report, indent=1))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sqlite-import-load.json").write_text(json.dumps(report, indent=1))

    assert scans >= 3 and sign_ins >= 1, f"the import ended too soon to probe: {report}"
    failed = [a for a in probe.answers if not 200 <= a.status < 300]
    assert not failed, failed[:5]
    assert not [a for a in probe.answers if "locked" in a.body]
    slow = [a for a in probe.answers if a.seconds > CEILING_SECONDS]
    assert not slow, slow[:5]
    late = [a for a in probe.answers if a.seconds > PROMPT_SECONDS]
    assert len(late) <= len(probe.answers) // 100, late[:5]
