"""The test Redis: `VENUECODE_TEST_REDIS_URL` (scripts/test exports it), database 2 by default.

Each test gets its own key prefix, deleted afterwards, so runs never see each other's counts.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

DEFAULT_URL = "redis://127.0.0.1:6379/2"


@dataclass(frozen=True)
class RedisTarget:
    url: str
    prefix: str


def redis_url_or_skip() -> str:
    url = os.environ.get("VENUECODE_TEST_REDIS_URL", DEFAULT_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {url} ({exc}); scripts/test starts one, or set "
                    "VENUECODE_TEST_REDIS_URL")
    return url


def fresh_target() -> Iterator[RedisTarget]:
    """A Redis with a prefix of its own (skips when none answers); its keys go afterwards."""
    url = redis_url_or_skip()
    prefix = f"vc-test-{uuid.uuid4().hex[:12]}"
    yield RedisTarget(url, prefix)
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
