"""Statements on the DBAPI connection under a SQLAlchemy `Connection` (the scan's own calls).

Each statement is turned into the driver's parameter style once: running it on the DBAPI
cursor skips SQLAlchemy's per-execute work (~50 us of CPU a statement, measured). The text
is also psycopg's key for its automatic prepared statements.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

_PYFORMAT = re.compile(r"(?<![:\w]):(\w+)")
_BY_STYLE: dict[str, dict[str, str]] = {}  # dialect name -> statement -> driver SQL


def driver_sql(connection: Connection, statement: str) -> str:
    name = connection.dialect.name
    by_statement = _BY_STYLE.setdefault(name, {})
    sql = by_statement.get(statement)
    if sql is None:
        # psycopg takes %(name)s; sqlite3 takes :name with a dict whatever SQLAlchemy's
        # dialect sets as its paramstyle.
        sql = _PYFORMAT.sub(r"%(\1)s", statement) if name == "postgresql" else statement
        by_statement[statement] = sql
    return sql


def dbapi(connection: Connection) -> Any:
    return connection.connection.dbapi_connection


def run(connection: Connection, statement: str, params: dict[str, Any],
        write: bool = False) -> Sequence[Any]:
    """Execute on the DBAPI connection (in `connection`'s transaction if one is open); rows.

    A read outside a transaction runs on its own: on SQLite (driver autocommit, WAL) it does
    not take the single write lock, so scans hold that lock only for their writes and
    COMMIT, not for the read and the policy too.
    """
    if write and not connection.in_transaction():
        connection.begin()  # SQLite: BEGIN IMMEDIATE (venuecode.db); PostgreSQL autocommit: none
    cursor = dbapi(connection).cursor()
    try:
        cursor.execute(driver_sql(connection, statement), params)
        return cursor.fetchall() if cursor.description is not None else []
    finally:
        cursor.close()
