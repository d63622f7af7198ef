"""trace_actions: the push's scope and counts, and the first of two approvals

A push covers what the tracer chose (tiers, exclusions, additions), with the counts the
approver confirms; a large one records its first supervisor's review.

Revision ID: 5b2e8f41c7a3
Revises: 3f6a1c9d2e47
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db

revision: str = '5b2e8f41c7a3'
down_revision: str | None = '3f6a1c9d2e47'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('trace_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('counts', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('persons', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('reviewed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', venuecode.db.Instant(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_trace_actions_reviewed_by_users'), 'users',
                                    ['reviewed_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('trace_actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trace_actions_reviewed_by_users'),
                                 type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('persons')
        batch_op.drop_column('counts')
        batch_op.drop_column('scope')
