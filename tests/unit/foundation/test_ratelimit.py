"""The limiter service on limits' in-memory storage (the embedded default) and its failure modes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from venuecode.access.ratelimit import Limit, Limiter, LimiterUnavailable

TWENTY = Limit("t-scan", 20, 60)


def test_a_limit_allows_its_amount_then_says_how_long_to_wait() -> None:
    limiter = Limiter.memory()
    assert [limiter.hit(TWENTY, "user:1") for _ in range(20)] == [0.0] * 20
    wait = limiter.hit(TWENTY, "user:1")
    assert 1.0 <= wait <= 60.0


def test_keys_and_limits_count_apart() -> None:
    limiter = Limiter.memory()
    for _ in range(20):
        limiter.hit(TWENTY, "user:1")
    assert limiter.hit(TWENTY, "user:2") == 0.0
    assert limiter.hit(Limit("t-other", 20, 60), "user:1") == 0.0


def test_each_limiter_counts_on_its_own_in_memory() -> None:
    first, second = Limiter.memory(), Limiter.memory()
    for _ in range(20):
        first.hit(TWENTY, "user:1")
    assert first.hit(TWENTY, "user:1") > 0
    assert second.hit(TWENTY, "user:1") == 0.0
    assert not first.shared


def test_clear_forgets_a_key() -> None:
    limiter = Limiter.memory()
    one = Limit("t-one", 1, 60)
    limiter.hit(one, "k")
    assert limiter.hit(one, "k") > 0
    limiter.clear(one, "k")
    assert limiter.hit(one, "k") == 0.0


def test_hits_from_many_threads_at_once_allow_exactly_the_amount() -> None:
    limiter = Limiter.memory()
    with ThreadPoolExecutor(16) as pool:
        waits = list(pool.map(lambda _: limiter.hit(TWENTY, "user:1"), range(60)))
    assert waits.count(0.0) == 20


# A real Redis client against a port nobody listens on: the storage raises, the limit decides.
UNREACHABLE = "redis://127.0.0.1:1/0"


def test_an_unreachable_store_lets_a_fail_open_limit_through() -> None:
    limiter = Limiter.redis(UNREACHABLE, "vc-test")
    assert limiter.shared and not limiter.healthy()
    assert limiter.hit(TWENTY, "user:1") == 0.0


def test_an_unreachable_store_refuses_a_fail_closed_limit() -> None:
    limiter = Limiter.redis(UNREACHABLE, "vc-test")
    with pytest.raises(LimiterUnavailable) as info:
        limiter.hit(Limit("t-sms", 1, 60, fail_open=False), "13800000000")
    assert info.value.status == 503


def test_a_batch_counts_as_its_items_and_one_that_does_not_fit_counts_nothing() -> None:
    limiter = Limiter.memory()
    assert limiter.hit(TWENTY, "gate:1", cost=15) == 0.0
    assert limiter.hit(TWENTY, "gate:1", cost=10) > 0  # 25 > 20: refused whole
    assert limiter.hit(TWENTY, "gate:1", cost=5) == 0.0  # the refused 10 were not counted
    assert limiter.hit(TWENTY, "gate:1") > 0
