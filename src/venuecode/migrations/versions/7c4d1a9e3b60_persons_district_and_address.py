"""persons: district and address of residence (data interfaces 1.1)

Revision ID: 7c4d1a9e3b60
Revises: 5b2e8f41c7a3
Create Date: 2026-12-01 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c4d1a9e3b60'
down_revision: str | None = '5b2e8f41c7a3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('district')
