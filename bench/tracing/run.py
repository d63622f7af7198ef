"""Time traces on a database loaded by `load.py`: the whole outbreak and a single case.

    python bench/tracing/run.py DATABASE_URL [--as-of 2026-11-28] [--repeat 3] [--profile OUT.prof]

Measures `compute_trace` + `result_to_json_dict` + `orjson.dumps` (the full JSON result,
as `venuecode trace --all-cases` writes it), warm (first run reported separately), and
the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import statistics
import time
from collections import Counter
from datetime import UTC, datetime

import orjson

from venuecode.config import Settings
from venuecode.db import make_engine, make_sessionmaker
from venuecode.facts.models import CaseRecord
from venuecode.tracing.core import result_to_json_dict
from venuecode.tracing.service import TraceRequest, compute_trace, format_time_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--as-of", default="2026-11-28T00:00:00+08:00")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--profile")
    parser.add_argument("--subsets", default="",
                        help="also trace the first N cases by reference time, e.g. 10,40")
    args = parser.parse_args()
    settings = Settings(_env_file=None, database_url=args.url)  # type: ignore[call-arg]
    engine = make_engine(args.url)
    factory = make_sessionmaker(engine)
    as_of = datetime.fromisoformat(args.as_of).astimezone(UTC)
    fmt = format_time_for(settings.tz)

    def run(cases: list[str] | None) -> tuple[float, int, Counter[str], int]:
        with factory() as session:
            t0 = time.perf_counter()
            result = compute_trace(session, settings, TraceRequest(cases, as_of=as_of, depth=args.depth))
            data = orjson.dumps(result_to_json_dict(result, fmt))
            return time.perf_counter() - t0, len(data), Counter(c.tier for c in result.contacts), len(result.venues)

    with factory() as session:
        by_time = [r[0] for r in session.query(CaseRecord.id_number)
                   .order_by(CaseRecord.reference_time, CaseRecord.id_number)]
    assert by_time, "no cases in this database"
    runs: list[tuple[str, list[str] | None]] = [(f"outbreak (all {len(by_time)} cases)", None),
                                                ("single case", by_time[:1])]
    runs += [(f"first {n} cases", by_time[:n]) for n in (int(x) for x in args.subsets.split(",") if x)]
    for label, cases in runs:
        times = []
        for i in range(args.repeat + 1):
            seconds, size, tiers, venues = run(cases)
            if i == 0:
                print(f"{label}: cold {seconds:.3f} s, {size / 1e6:.1f} MB JSON, {dict(tiers)}, {venues} venues")
            else:
                times.append(seconds)
        print(f"{label}: warm median {statistics.median(times):.3f} s (runs {[round(t, 3) for t in times]})")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(None)
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
