"""In-process sliding-window rate limits for hot paths (per worker process).

The scan path must not pay a database round trip to count a person's recent scans; a
per-process window is enough to stop one account flooding a server. Limits that must hold
across processes (SMS codes) count rows in the database instead.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindowLimiter:
    def __init__(self, limit: int, window_seconds: float, max_keys: int = 200_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit; return 0 when allowed, else the seconds to wait."""
        t = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._evict(t)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= t - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - t
            hits.append(t)
            return 0.0

    def _evict(self, t: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or v[-1] <= t - self.window]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:  # all busy: forget the oldest half
            for key in list(self._hits)[: self.max_keys // 2]:
                del self._hits[key]
