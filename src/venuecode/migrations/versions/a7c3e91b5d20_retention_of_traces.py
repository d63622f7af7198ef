"""retention of traces and audit events: traces.evidence_from, traces.pseudonymised_at,
an index of audit_subjects by event (BRIN on PostgreSQL)

`evidence_from` is the earliest instant a stored trace's result names (the purge
pseudonymises the trace once it is past the retention period; rows written before this
revision are filled in by the first purge). The purge deletes audit events after their
own period, and their `audit_subjects` rows by event id.

Revision ID: a7c3e91b5d20
Revises: 509a70518136
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db

revision: str = 'a7c3e91b5d20'
down_revision: str | None = '509a70518136'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('traces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_from', venuecode.db.Instant(), nullable=True))
        batch_op.add_column(sa.Column('pseudonymised_at', venuecode.db.Instant(), nullable=True))
    with op.batch_alter_table('audit_subjects', schema=None) as batch_op:
        # BRIN on PostgreSQL: rows arrive in event order, and a btree made the trace's
        # audit COPY 76% slower (bench/retention/README.md); a plain index on SQLite.
        batch_op.create_index(batch_op.f('ix_audit_subjects_event_id'), ['event_id'],
                              unique=False, postgresql_using='brin',
                              postgresql_with={'pages_per_range': 128})


def downgrade() -> None:
    with op.batch_alter_table('audit_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_subjects_event_id'))
    with op.batch_alter_table('traces', schema=None) as batch_op:
        batch_op.drop_column('pseudonymised_at')
        batch_op.drop_column('evidence_from')
