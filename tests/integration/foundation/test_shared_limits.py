"""Rate limits in a real Redis (database 2): shared by every limiter, atomic under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.support.redis import RedisTarget
from venuecode.access.ratelimit import Limit, Limiter
from venuecode.config import Settings
from venuecode.scans.service import SCAN_FLOOD

ONE_A_MINUTE = Limit("t-once", 1, 60)


def test_two_limiters_on_one_redis_count_together(redis_target: RedisTarget) -> None:
    # Two server processes each build their own Limiter from the same settings.
    a = Limiter.redis(redis_target.url, redis_target.prefix)
    b = Limiter.redis(redis_target.url, redis_target.prefix)
    waits = [(a if i % 2 == 0 else b).hit(SCAN_FLOOD, "user:1") for i in range(30)]
    assert waits[:20] == [0.0] * 20
    assert all(1.0 <= w <= 60.0 for w in waits[20:])


def test_fifty_simultaneous_hits_of_a_one_a_minute_limit_let_one_through(
        redis_target: RedisTarget) -> None:
    limiters = [Limiter.redis(redis_target.url, redis_target.prefix) for _ in range(4)]
    with ThreadPoolExecutor(25) as pool:
        waits = list(pool.map(lambda i: limiters[i % 4].hit(ONE_A_MINUTE, "13800000000"),
                              range(50)))
    assert waits.count(0.0) == 1


def test_two_deployments_with_their_own_prefix_do_not_share_counts(
        redis_target: RedisTarget) -> None:
    city = Limiter.redis(redis_target.url, redis_target.prefix)
    other = Limiter.redis(redis_target.url, redis_target.prefix + "-other")
    try:
        assert city.hit(ONE_A_MINUTE, "k") == 0.0
        assert city.hit(ONE_A_MINUTE, "k") > 0
        assert other.hit(ONE_A_MINUTE, "k") == 0.0
    finally:
        other.clear(ONE_A_MINUTE, "k")


def test_the_app_counts_in_redis_when_the_setting_names_one(
        settings: Settings, engine, session_factory, redis_target: RedisTarget) -> None:  # type: ignore[no-untyped-def]
    from venuecode.web.app import create_app

    shared = settings.model_copy(update={"redis_url": redis_target.url,
                                         "redis_prefix": redis_target.prefix})
    first = create_app(shared, engine=engine, factory=session_factory).state.venuecode
    second = create_app(shared, engine=engine, factory=session_factory).state.venuecode
    assert first.limiter.shared and first.limiter.healthy()
    assert first.limiter.hit(ONE_A_MINUTE, "k") == 0.0
    assert second.limiter.hit(ONE_A_MINUTE, "k") > 0


def test_sign_in_codes_are_refused_not_sent_while_the_limiter_is_unreachable(
        settings: Settings, engine, session_factory) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from venuecode.web.app import create_app

    # A real Redis client against a port nobody listens on (Redis down).
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(down, engine=engine, factory=session_factory),
                    raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/auth/sms-code", json={"phone": "13912340000"})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "limiter_unavailable"
    assert settings.sms_file is None or not settings.sms_file.exists()
