"""venues.display_issue and display_required: rotating display codes (动态场所码)

The display key is derived from the code signing key, the venue and `display_issue`
(venues/display.py), so nothing secret is stored; rotating it bumps the counter.
`display_required`: the venue accepts only the display's rotating code.

Revision ID: e7d15a0c3f21
Revises: a7c3e91b5d20
Create Date: 2026-12-01 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e7d15a0c3f21'
down_revision: str | None = 'a7c3e91b5d20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (a constant default fills existing rows): a batch copy of `venues`
    # on SQLite would drop a table other tables' foreign keys point at.
    op.add_column('venues', sa.Column('display_issue', sa.Integer(), server_default='1',
                                      nullable=False))
    op.add_column('venues', sa.Column('display_required', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('venues') as batch:
        batch.drop_column('display_required')
        batch.drop_column('display_issue')
