"""Timing shape of the binding refusals (bench/identity/README.md)."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime

import venuecode.models  # noqa: F401 - every table registered
from venuecode.access.ratelimit import Limiter
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock, set_clock
from venuecode.db import make_engine, make_sessionmaker
from venuecode.errors import DomainError
from venuecode.people.binding import bind_identity
from venuecode.people.idnumber import make_id_number
from venuecode.people.models import Person, User
from venuecode.schema import create_schema

PERSONS, ROUNDS = 20_000, 400
NOW = datetime(2022, 4, 19, 8, tzinfo=UTC)


def seed(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as s:
        numbers = list(dict.fromkeys(
            make_id_number("330106", date(1960 + i // 900, 1 + (i // 30) % 12, 1 + i % 28), i % 1000)
            for i in range(PERSONS)))
        if s.get(User, 1) is None:
            s.add_all(Person(id_number=n, name="李四", phone=f"138{i:08d}", source="bench",
                             batch_id=None, received_at=NOW) for i, n in enumerate(numbers))
            s.add(User(phone="13900000001", role="citizen", created_at=NOW))
            s.add(User(phone="13900000002", role="citizen", created_at=NOW,
                       id_number=numbers[7], real_name="李四"))
            s.commit()
        return numbers


def main() -> None:
    set_clock(FixedClock(NOW))
    engine = make_engine(f"sqlite:///{sys.argv[1] if len(sys.argv) > 1 else '/tmp/vc-identity-bench.db'}")
    create_schema(engine)
    factory = make_sessionmaker(engine)
    numbers = seed(factory)
    cases = {"wrong_name": (numbers[1], "王五"),
             "unknown_id": (make_id_number("110101", date(1999, 9, 9), 5), "李四"),
             "phone_mismatch": (numbers[2], "李四"), "bound_elsewhere": (numbers[7], "李四")}
    times: dict[str, list[float]] = {k: [] for k in cases}
    actor = Actor("user:1", "citizen", "192.0.2.1")
    for _ in range(ROUNDS):
        for case, (number, name) in cases.items():
            with factory() as s:
                user = s.get(User, 1)
                assert user is not None
                start = time.perf_counter()
                try:
                    bind_identity(s, Limiter.memory(), actor, user, number, name)
                except DomainError as exc:
                    assert exc.code == "identity_not_verified", exc.code
                times[case].append(time.perf_counter() - start)
                s.rollback()
    for case, values in times.items():
        values.sort()
        print(f"{case:16s} median {statistics.median(values) * 1e6:7.0f} us  "
              f"p90 {values[int(len(values) * 0.9)] * 1e6:7.0f} us")


if __name__ == "__main__":
    main()
