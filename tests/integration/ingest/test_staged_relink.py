"""Check-in imports store rule 2's next check-in and the same counts, whichever way the
PostgreSQL write path reads the stored rows (one hash join, or per-person probes).

Files arrive in any order, in small chunks, re-deliver rows (same or changed check-out
time) and add same-instant scans at two venues; after each file every row's
`next_scanned_at` is the definition's and the counts follow the data.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.integration.scans.test_succession import defined, stored
from tests.support import factories
from venuecode.ingest.service import import_file
from venuecode.scans import succession
from venuecode.timeutil import to_micros

DAY = datetime(2022, 4, 18, tzinfo=UTC)
_people = itertools.count(100)

files_drawn = st.lists(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 30),
                       st.sampled_from([None, 1, 2])),
             min_size=1, max_size=12, unique_by=lambda r: r[:3]),
    min_size=1, max_size=4)


@pytest.fixture(params=["scan", "probe"])
def read_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    # SCAN while the table is small against the chunk's persons; 0 forces the probes.
    monkeypatch.setattr(succession, "SCAN_ROWS_PER_PERSON", 10**9 if request.param == "scan" else 0)
    return str(request.param)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=files_drawn, chunk=st.integers(1, 5))
def test_imports_link_and_count_like_the_definition(
        db: Session, read_way: str, files: list[list[tuple[int, int, int, int | None]]],
        chunk: int) -> None:
    venues = ["V1", "V2"]
    for v in venues:
        if db.execute(text("SELECT 1 FROM venues WHERE venue_id = :v"), {"v": v}).first() is None:
            factories.venue(db, name=v, venue_id=v)
    db.commit()
    people = [factories.id_number(next(_people)) for _ in range(3)]
    out_of: dict[tuple[str, str, int], int | None] = {}  # the model: key -> check-out
    with tempfile.TemporaryDirectory() as tmp:
        for n, rows in enumerate(files):
            path = Path(tmp) / f"f{n}.csv"
            lines = ["id_number,venue_id,scanned_at,checked_out_at"]
            new = replaced = 0
            for p, v, minute, out in rows:
                at = DAY + timedelta(minutes=minute)
                out_text = "" if out is None else (at + timedelta(hours=out)).isoformat()
                lines.append(f"{people[p]},{venues[v]},{at.isoformat()},{out_text}")
                key = (people[p], venues[v], minute)
                out_micros = None if out is None else to_micros(at + timedelta(hours=out))
                if key not in out_of:
                    new += 1
                elif out_of[key] != out_micros:
                    replaced += 1
                out_of[key] = out_micros
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            summary = import_file(db, "checkins", path, chunk=chunk)
            assert (summary.accepted, summary.replaced, summary.unchanged) == (
                new, replaced, len(rows) - new - replaced)
            db.expire_all()
            assert stored(db) == defined(db)
    got = {(p, v, (int(at) - to_micros(DAY)) // 60_000_000): out
           for p, v, at, out in db.execute(text(
               "SELECT c.id_number, v.venue_id, c.scanned_at, c.checked_out_at FROM checkins c"
               " JOIN venues v ON v.id = c.venue_pk WHERE c.id_number IN (:a, :b, :c)"),
               dict(zip("abc", people, strict=True)))}
    assert got == out_of
