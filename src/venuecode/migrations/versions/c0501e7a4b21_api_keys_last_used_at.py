"""api_keys.last_used_at: when a data source last pushed with its key

Shown in the operator console's key list, so an operator sees a key nobody uses.

Revision ID: c0501e7a4b21
Revises: 177de5be6885
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db

revision: str = 'c0501e7a4b21'
down_revision: str | None = '177de5be6885'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', venuecode.db.Instant(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
