"""Benchmark the chain graph on a large outbreak (see README.md here).

Builds the graph of a synthetic result shaped like the engine's JSON (173 cases, 47,000
contacts: the unit test's outbreak) and prints wall and CPU seconds per build, with the
load average, since the figure is noisy on a shared machine.

    .venv/bin/python bench/graph/run.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]  # tests.support and venuecode, uninstalled

from tests.support.outbreak import outbreak_result  # noqa: E402
from venuecode.tracing.graph import GraphFilter, build_graph  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cases", type=int, default=173)
    parser.add_argument("--contacts", type=int, default=47_000)
    args = parser.parse_args()
    result = outbreak_result(args.cases, args.contacts)
    for label, graph_filter in (("whole outbreak", None), ("one venue", GraphFilter(venue="V010"))):
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            graph = build_graph(result, graph_filter)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(f"{label}: {len(graph['nodes'])} nodes; wall median {statistics.median(walls):.3f} s, "
              f"CPU median {statistics.median(cpus):.3f} s (of {args.repeat}); "
              f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
