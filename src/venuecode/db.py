"""Database: declarative base, the `Instant` column type, engines and sessions.

SQLite (WAL mode) is the embedded default, PostgreSQL (psycopg 3) the production one.
Times are stored as integer microseconds since the Unix epoch (UTC): exact, compared as
instants on both databases, and cheap to index and scan for tracing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from venuecode.timeutil import from_micros, to_micros

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Instant(TypeDecorator[datetime]):
    """An aware datetime stored as BIGINT microseconds since the epoch (UTC)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Instant columns take timezone-aware datetimes only")
        return to_micros(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_micros(value)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the project's SQLite pragmas or PostgreSQL defaults."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "checkin", _sqlite_checkin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself
    # (the recipe in SQLAlchemy's SQLite dialect docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Execution option marking a read-only session's connection (see `read_session`).
READ_ONLY = "venuecode_read_only"


def _sqlite_begin(connection: Connection) -> None:
    # A transaction that writes takes the write lock up front (IMMEDIATE): two that read and
    # then write would otherwise both try to upgrade, and SQLite refuses the upgrade at once
    # (SQLITE_BUSY, no busy wait) or once another writer committed (SQLITE_BUSY_SNAPSHOT).
    # A read-only one begins DEFERRED under `PRAGMA query_only`: a WAL reader that never
    # takes the lock, never waits for it, and cannot take it by mistake.
    if connection.get_execution_options().get(READ_ONLY):
        pooled = connection.connection
        if not pooled.info.get(READ_ONLY):
            cursor = pooled.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()
            pooled.info[READ_ONLY] = True
        connection.exec_driver_sql("BEGIN")
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    # Back in the pool every connection can write again (the next user may be a writer
    # outside a transaction, such as the scan's autocommit reads followed by its INSERT).
    if record.info.pop(READ_ONLY, False) and dbapi_connection is not None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = OFF")
        cursor.close()


class ReadOnlySession(RuntimeError):
    """A write through a read-only session: a programming error, never input's fault."""


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySession(
            "this session is read-only (a GET request): a handler that writes must be "
            "marked with venuecode.web.deps.writes")


def _refuse_dml(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (state.is_insert or state.is_update
                                               or state.is_delete):
        raise ReadOnlySession(
            "this session is read-only (a GET request): a handler that writes must be "
            "marked with venuecode.web.deps.writes")


def _query_only_on(_session: Session, _transaction: Any, connection: Connection) -> None:
    connection.exec_driver_sql("PRAGMA query_only = ON")


def _query_only_off(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        bind = session.get_bind()
        if isinstance(bind, Connection) and not bind.closed:
            bind.exec_driver_sql("PRAGMA query_only = OFF")


def read_session(factory: sessionmaker[Session]) -> Session:
    """A session that only reads: on SQLite it never takes (nor waits for) the write lock.

    Bound to an engine, its transactions begin DEFERRED with `PRAGMA query_only` (SQLite;
    PostgreSQL is unchanged). Whatever the bind (the tests bind one connection), an ORM
    write through it raises `ReadOnlySession` before reaching the database.
    """
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        readers = bind.__dict__.get("_venuecode_readers")
        if readers is None:  # one option engine per engine: it shares the engine's pool
            readers = bind.__dict__["_venuecode_readers"] = bind.execution_options(
                **{READ_ONLY: True})
        session = factory(bind=readers)
    else:
        session = factory()
        if isinstance(bind, Connection) and bind.dialect.name == "sqlite":
            # One shared connection (the tests' rolled-back outer transaction): the same
            # PRAGMA for this session's lifetime, so raw-SQL writes fail there too.
            event.listen(session, "after_begin", _query_only_on)
            event.listen(session, "after_transaction_end", _query_only_off)
    session.info[READ_ONLY] = True
    event.listen(session, "before_flush", _refuse_flush)
    event.listen(session, "do_orm_execute", _refuse_dml)
    return session


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
