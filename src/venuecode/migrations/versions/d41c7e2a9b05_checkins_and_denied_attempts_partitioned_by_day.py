"""checkins and denied_attempts partitioned by day (PostgreSQL)

On PostgreSQL both tables become `PARTITION BY RANGE` on their time column, one
partition per UTC day plus a DEFAULT partition (see venuecode.scans.partitions). The
primary key becomes (id, time): PostgreSQL wants every unique key of a partitioned table
to hold the partition key; the id sequence is kept, so ids go on where they were. Nothing
references these ids by foreign key.

Each table is rebuilt in this migration's transaction: the old table is renamed and
stripped of its constraints and indexes (their names are reused), the partitioned table
is created LIKE it, a partition is created for every day holding rows within a year of
now (rows further out, clock errors, go to the default partition), the rows are copied,
then the constraints and indexes are recreated from the old table's own definitions and
the old table is dropped. Servers must be stopped: it copies every row.

SQLite keeps plain tables: a no-op there.

Revision ID: d41c7e2a9b05
Revises: b9c83f9c5968
Create Date: 2026-12-01 09:40:00
"""

import time
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = 'd41c7e2a9b05'
down_revision: str | None = 'b9c83f9c5968'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A migration keeps its own copy of the layout (venuecode.scans.partitions as of now).
TABLES = {"checkins": "scanned_at", "denied_attempts": "attempted_at"}
DAY = 86_400_000_000
REACH_DAYS = 366


def _definitions(table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, definition) of the table's constraints, and its other indexes' DDL."""
    bind = op.get_bind()
    constraints = [(r[0], r[1]) for r in bind.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = to_regclass(:t) AND contype IN ('p', 'u', 'f', 'c')"
        " ORDER BY contype = 'f', conname"), {"t": table})]
    indexes = [r[0].replace(" ON ONLY ", " ON ") for r in bind.execute(text(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = to_regclass(:t) AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        " ORDER BY i.indexrelid"), {"t": table})]
    return constraints, indexes


def _rebuild(table: str, column: str, partitioned: bool) -> None:
    bind = op.get_bind()
    old = f"{table}_rebuild_old"
    constraints, indexes = _definitions(table)
    sequence = bind.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
    columns = ", ".join(r[0] for r in bind.execute(text(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t) AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum"), {"t": table}))
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _ in reversed(constraints):
        op.execute(f"ALTER TABLE {old} DROP CONSTRAINT {name}")
    for ddl in indexes:
        op.execute(f"DROP INDEX {ddl.split()[2 if ddl.startswith('CREATE INDEX') else 3]}")
    if sequence:
        # The sequence belongs to the old table's column and would go with it.
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    layout = f" PARTITION BY RANGE ({column})" if partitioned else ""
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS){layout}")
    if sequence:
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {table}.id")
    if partitioned:
        now_day = int(time.time() * 1_000_000) // DAY
        days = [r[0] for r in bind.execute(text(
            f"SELECT DISTINCT {column} / {DAY} - CASE WHEN {column} % {DAY} < 0 THEN 1 ELSE 0 END"  # noqa: S608
            f" FROM {old}"))]
        for day in sorted(d for d in days if abs(d - now_day) <= REACH_DAYS):
            name = f"{table}_p" + time.strftime("%Y%m%d", time.gmtime(day * 86_400))
            op.execute(f"CREATE TABLE {name} PARTITION OF {table}"
                       f" FOR VALUES FROM ({day * DAY}) TO ({(day + 1) * DAY})")
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {old}")  # noqa: S608
    for name, definition in constraints:
        if definition.startswith("PRIMARY KEY"):
            definition = f"PRIMARY KEY (id, {column})" if partitioned else "PRIMARY KEY (id)"
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for ddl in indexes:  # read before the rename: they name `table`, the new one now
        op.execute(ddl)
    op.execute(f"DROP TABLE {old}")
    op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in TABLES.items():
        _rebuild(table, column, partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in TABLES.items():
        _rebuild(table, column, partitioned=False)
