"""checkins next_scanned_at and covering presence index

Rule 2's next check-in is stored per row (see venuecode.scans.succession); existing rows
are backfilled here with the same definition the write paths use.

Revision ID: 61078f52fccb
Revises: 75214965ec5e
Create Date: 2026-11-28 16:19:26.606161
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db


revision: str = '61078f52fccb'
down_revision: str | None = '75214965ec5e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# venuecode.scans.succession.RELINK_ALL as of this revision (a migration keeps its own copy).
RELINK_ALL = """UPDATE checkins AS r SET next_scanned_at = (SELECT MIN(n.scanned_at) FROM checkins n
     WHERE n.id_number = r.id_number AND n.scanned_at >= r.scanned_at
       AND (n.scanned_at > r.scanned_at OR n.venue_pk <> r.venue_pk))"""


def upgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_scanned_at', venuecode.db.Instant(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_checkins_venue_time'))
        batch_op.create_index('ix_checkins_venue_presence', ['venue_pk', 'scanned_at', 'id_number', 'checked_out_at', 'next_scanned_at'], unique=False)

    op.execute(RELINK_ALL)


def downgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_venue_presence')
        batch_op.create_index(batch_op.f('ix_checkins_venue_time'), ['venue_pk', 'scanned_at'], unique=False)
        batch_op.drop_column('next_scanned_at')

