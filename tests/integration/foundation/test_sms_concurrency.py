"""SMS sign-in limits under concurrency (issue 11, finding 8): on PostgreSQL (and SQLite),
50 simultaneous requests for one phone send one code, and 50 simultaneous guesses at a
code are counted to at most five. Real sessions, committed, from many threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import read_sms_code
from tests.support import factories
from tests.support.redis import RedisTarget
from venuecode.access.ratelimit import Limiter
from venuecode.config import Settings
from venuecode.errors import DomainError
from venuecode.people import auth
from venuecode.people.models import SmsCode, User
from venuecode.people.sms import sms_sender

PARALLEL = 50
T = TypeVar("T")


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> Limiter:
    if request.param == "memory":
        return Limiter.memory()
    target: RedisTarget = request.getfixturevalue("redis_target")
    return Limiter.redis(target.url, target.prefix)


@pytest.fixture
def phone(engine: Engine) -> Iterator[str]:
    number = factories.phone()
    yield number
    with Session(engine) as session:  # these tests commit: leave nothing behind
        session.execute(delete(SmsCode).where(SmsCode.phone == number))
        session.execute(delete(User).where(User.phone == number))
        session.commit()


def at_once(engine: Engine, work: Callable[[Session], T]) -> list[T | DomainError]:
    """`work` in PARALLEL threads released together, each in its own committed session."""
    gate = threading.Barrier(PARALLEL)

    def one(_: int) -> T | DomainError:
        with Session(engine, expire_on_commit=False) as session:
            gate.wait()
            try:
                return work(session)
            except DomainError as exc:
                return exc
            finally:
                session.commit()  # as the endpoints do: a wrong guess still counts

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(PARALLEL)))


def codes_sent(engine: Engine, phone: str) -> list[SmsCode]:
    with Session(engine) as session:
        return list(session.scalars(select(SmsCode).where(SmsCode.phone == phone)))


def send_code(engine: Engine, settings: Settings, limiter: Limiter, phone: str) -> str:
    with Session(engine) as session:
        auth.request_code(session, sms_sender(settings), "k" * 40, limiter, phone, None)
        session.commit()
    return read_sms_code(settings, phone)


def test_fifty_simultaneous_requests_for_one_phone_send_one_code(
        engine: Engine, settings: Settings, limiter: Limiter, phone: str) -> None:
    sender = sms_sender(settings)
    results = at_once(engine, lambda s: auth.request_code(s, sender, "k" * 40, limiter, phone,
                                                          "10.0.0.1"))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == PARALLEL - 1
    assert {r.code for r in refused} == {"sms_too_soon"}
    assert len(codes_sent(engine, phone)) == 1
    assert settings.sms_file is not None
    assert settings.sms_file.read_text("utf-8").count(phone) == 1


def test_fifty_simultaneous_wrong_guesses_count_five_and_the_code_is_spent(
        engine: Engine, settings: Settings, limiter: Limiter, phone: str) -> None:
    right = send_code(engine, settings, limiter, phone)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    results = at_once(engine, lambda s: auth.verify_sms_code(s, "k" * 40, phone, wrong))
    assert all(isinstance(r, DomainError) and r.code == "sms_code_wrong" for r in results)
    (code,) = codes_sent(engine, phone)
    assert code.attempts == auth.MAX_ATTEMPTS_PER_CODE
    with Session(engine) as session, pytest.raises(DomainError):
        auth.verify_sms_code(session, "k" * 40, phone, right)  # a sixth guess, even right
    with Session(engine) as session:
        assert session.scalar(select(func.count(User.id)).where(User.phone == phone)) == 0


def test_fifty_simultaneous_right_guesses_sign_in_once(
        engine: Engine, settings: Settings, limiter: Limiter, phone: str) -> None:
    right = send_code(engine, settings, limiter, phone)
    results = at_once(engine, lambda s: auth.verify_sms_code(s, "k" * 40, phone, right))
    signed_in = [r for r in results if isinstance(r, User)]
    assert len(signed_in) == 1
    (code,) = codes_sent(engine, phone)
    assert code.used_at is not None and code.attempts <= auth.MAX_ATTEMPTS_PER_CODE
