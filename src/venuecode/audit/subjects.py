"""Bulk rows of `audit_subjects`: the persons one audit event read.

A trace of an outbreak lists 47,000 persons and may reach 500,000: one audit event with
one row per person, written on the session's own connection (COPY on PostgreSQL,
`executemany` on SQLite), so the rows join the caller's transaction and no ORM object
is built per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

_SQLITE_BATCH = 50_000


def distinct(numbers: Iterable[str]) -> list[str]:
    """Each person once (the key is (person, event)), in a stable order."""
    return list(dict.fromkeys(n for n in numbers if n))


def add_subjects(session: Session, event_id: int, numbers: Iterable[str]) -> int:
    """Store `(id_number, event_id)` for each distinct person; returns how many."""
    persons = distinct(numbers)
    if not persons:
        return 0
    session.flush()  # the event row must exist before its subjects refer to it
    dbapi: Any = session.connection().connection.dbapi_connection
    if session.get_bind().dialect.name == "postgresql":
        with dbapi.cursor() as cur, cur.copy(
                "COPY audit_subjects (id_number, event_id) FROM STDIN") as copy:
            for number in persons:
                copy.write_row((number, event_id))
        return len(persons)
    cur = dbapi.cursor()
    try:
        for start in range(0, len(persons), _SQLITE_BATCH):
            cur.executemany("INSERT INTO audit_subjects (id_number, event_id) VALUES (?, ?)",
                            [(n, event_id) for n in persons[start:start + _SQLITE_BATCH]])
    finally:
        cur.close()
    return len(persons)
