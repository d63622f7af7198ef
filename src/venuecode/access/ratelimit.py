"""Rate limits as a service: `limits`' moving window, in Redis or in this process's memory.

One `Limiter` is built from the settings when the app starts (`Limiter.from_settings`)
and handed to the use cases as an argument. With `VENUECODE_REDIS_URL` every server
process counts in the same Redis, and each hit is one atomic Lua call there, so a limit
holds however many processes and hosts serve; without it the counts live in this
process only (the embedded default, which the start checks refuse beyond one process).
Tests build `Limiter.memory()`: the same library code on its in-memory storage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from venuecode.errors import DomainError

log = logging.getLogger(__name__)

# A limiter that stops answering must not hold a scan for long: past this, fail open or
# closed as the limit says.
REDIS_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Limit:
    """At most `amount` hits per `seconds` per key, in a moving window.

    `fail_open`: when the store cannot be reached, allow (the check-in must go on) or
    refuse (sign-in codes and passwords: a guessing attack must not gain from an outage).
    """

    name: str
    amount: int
    seconds: int
    fail_open: bool = True
    item: RateLimitItem = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "item",
                           RateLimitItemPerSecond(self.amount, self.seconds, namespace="vc"))


class LimiterUnavailable(DomainError):
    def __init__(self) -> None:
        super().__init__("limiter_unavailable", "服务繁忙，请稍后再试。",
                         "The service is busy; try again shortly.", {"retry_after": 5}, 503)


class Limiter:
    def __init__(self, storage: Storage, *, shared: bool) -> None:
        self.storage = storage
        self.shared = shared  # True: every process counts in the same place
        self._window = MovingWindowRateLimiter(storage)

    @classmethod
    def memory(cls) -> Limiter:
        return cls(MemoryStorage(), shared=False)

    @classmethod
    def redis(cls, url: str, prefix: str) -> Limiter:
        storage = RedisStorage(url, key_prefix=prefix, wrap_exceptions=True,
                               socket_timeout=REDIS_TIMEOUT_SECONDS,
                               socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        return cls(storage, shared=True)

    @classmethod
    def from_settings(cls, redis_url: str | None, prefix: str) -> Limiter:
        return cls.redis(redis_url, prefix) if redis_url else cls.memory()

    def hit(self, limit: Limit, key: str, cost: int = 1) -> float:
        """Count `cost` hits (one batch of that many items); 0 when allowed, else the
        seconds until the next would be. A refused batch counts nothing."""
        try:
            if self._window.hit(limit.item, limit.name, key, cost=cost):
                return 0.0
            stats = self._window.get_window_stats(limit.item, limit.name, key)
        except StorageError as exc:
            log.warning("rate limiter unreachable (%s): %s %s", limit.name,
                        "allowing" if limit.fail_open else "refusing", exc)
            if limit.fail_open:
                return 0.0
            raise LimiterUnavailable() from None
        return max(stats.reset_time - time.time(), 1.0)

    def clear(self, limit: Limit, key: str) -> None:
        self._window.clear(limit.item, limit.name, key)

    def healthy(self) -> bool:
        """The store answers (always, in memory); for readiness checks."""
        return bool(self.storage.check())
