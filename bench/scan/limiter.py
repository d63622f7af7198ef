"""What one rate-limit hit costs the server process: memory vs Redis, the scan's flood limit.

    .venv/bin/python bench/scan/limiter.py --redis-url redis://127.0.0.1:6379/0

Hits `SCAN_FLOOD` for many different accounts (as a scan load does: one hit per scan,
never refused) and prints CPU microseconds per hit in this process (`process_time`), wall
microseconds per hit, and the Redis server's CPU per hit (from /proc), with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid

from run import cpu_seconds  # bench/scan/run.py, next to this script

from venuecode.access.ratelimit import Limiter
from venuecode.scans.service import SCAN_FLOOD


def redis_server_cpu() -> float:
    return cpu_seconds(os.getpid())["redis"]


def measure(limiter: Limiter, hits: int) -> dict[str, float]:
    keys = [f"user:{i}" for i in range(hits // 3 + 1)]  # 3 scans per account, as scan.lua
    redis_before, cpu_before, wall_before = redis_server_cpu(), time.process_time(), time.perf_counter()
    for i in range(hits):
        limiter.hit(SCAN_FLOOD, keys[i // 3])
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    return {"client_cpu_us_per_hit": round(cpu * 1e6 / hits, 1),
            "wall_us_per_hit": round(wall * 1e6 / hits, 1),
            "redis_server_cpu_us_per_hit": round((redis_server_cpu() - redis_before) * 1e6 / hits,
                                                 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--hits", type=int, default=20_000)
    args = parser.parse_args()
    prefix = f"vc-bench-limiter-{uuid.uuid4().hex[:8]}"
    redis_limiter = Limiter.redis(args.redis_url, prefix)
    result = {"hits": args.hits, "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
              "memory": measure(Limiter.memory(), args.hits),
              "redis": measure(redis_limiter, args.hits)}
    storage = redis_limiter.storage
    storage.reset()  # type: ignore[attr-defined]  # RedisStorage: delete this run's keys
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
