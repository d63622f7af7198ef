"""Readiness: can this process serve? Database reachable, schema at the migration head,
Redis reachable when configured. Each check runs on its own thread with a timeout, so a
hung database makes /readyz answer 503 quickly instead of hanging the balancer's probe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine


class Readiness:
    def __init__(self, engine: Engine, redis_url: str | None, timeout_seconds: float) -> None:
        self.engine = engine
        self.redis_url = redis_url
        self.timeout = timeout_seconds
        # One thread per check: a stuck check never takes more than its own thread.
        self._pools = {name: ThreadPoolExecutor(1, thread_name_prefix=f"ready-{name}")
                       for name in ("database", "redis")}
        self._redis: Any = None

    @cached_property
    def head(self) -> str | None:
        from venuecode.migrate import head_revision

        return head_revision()

    def _database(self) -> str | None:
        # A raw DBAPI cursor: no SQLAlchemy transaction, so on SQLite no BEGIN IMMEDIATE
        # that would queue the probe behind every writer.
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute("SELECT version_num FROM alembic_version")
                rows = cursor.fetchall()
            except Exception as exc:  # no such table: not a venuecode schema yet
                return (f"no schema ({type(exc).__name__} reading alembic_version), the code "
                        f"expects {self.head} (run venuecode db upgrade)")
            finally:
                cursor.close()
        finally:
            raw.close()
        current = rows[0][0] if len(rows) == 1 else None
        if current != self.head:
            return f"schema at {current}, the code expects {self.head} (run venuecode db upgrade)"
        return None

    def _ping_redis(self) -> str | None:
        assert self.redis_url is not None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                self.redis_url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout)
        self._redis.ping()
        return None

    async def _run(self, name: str, check: Callable[[], str | None]) -> str | None:
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._pools[name], check),
                                          self.timeout)
        except TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except Exception as exc:  # any failure is "not ready", said briefly
            return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]

    async def problems(self) -> dict[str, str]:
        """Check name -> what is wrong; empty when ready."""
        checks: dict[str, Callable[[], str | None]] = {"database": self._database}
        if self.redis_url:
            checks["redis"] = self._ping_redis
        results = await asyncio.gather(*(self._run(n, c) for n, c in checks.items()))
        return {name: result for name, result in zip(checks, results, strict=True) if result}
