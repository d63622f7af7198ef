"""The purge's writes, in short committed slices, so scans keep answering while it runs.

On SQLite every write transaction holds the one write lock; a slice is sized (as imports
are, `ingest.bulk.Pacer`) to hold it about 50 ms, with a short pause after each commit for
a waiting scan to land in. PostgreSQL locks rows, not the database: fixed slices there
just keep each transaction and its WAL burst small. Every slice is its own transaction,
so an interrupted purge has committed what it did and the next run carries on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from venuecode.ingest.bulk import PAUSE_SECONDS, Pacer, lock_budget

POSTGRES_SLICE = 10_000

Step = Callable[[int], int]  # do at most n rows, return how many were done


class Slicer:
    """Runs a step slice after slice, committing each, until a slice comes back short."""

    def __init__(self, session: Session, first: int = 1_000, least: int = 50,
                 most: int = 20_000) -> None:
        self.session = session
        budget = lock_budget(session)
        self.pacer = Pacer(budget, first=first, least=least, most=most) if budget else None
        self.slices = 0

    def run(self, step: Step) -> int:
        total = 0
        while True:
            if self.pacer is not None and self.slices:
                time.sleep(random.uniform(*PAUSE_SECONDS))  # jittered, as imports are
            size = self.pacer.size if self.pacer is not None else POSTGRES_SLICE
            began = time.perf_counter()
            done = step(size)
            self.session.commit()
            self.slices += 1
            if self.pacer is not None and done:
                self.pacer.record(done, time.perf_counter() - began)
            total += done
            if done < size:
                return total


def count(session: Session, model: Any, condition: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def delete_rows(session: Session, model: Any, condition: Any) -> int:
    """Delete every row of `model` matching `condition`, in slices by primary key."""
    (key,) = model.__mapper__.primary_key

    def step(size: int) -> int:
        keys = select(key).where(condition).limit(size).scalar_subquery()
        # The condition again outside: PostgreSQL then prunes day partitions for the delete.
        result = session.execute(delete(model).where(condition, key.in_(keys))
                                 .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    return Slicer(session).run(step)
