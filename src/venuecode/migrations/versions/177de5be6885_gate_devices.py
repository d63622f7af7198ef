"""gate_devices: registered gate devices and their keys

A venue manager issues a key per gate device (数字哨兵); gate uploads authenticate with it.
Only the key's prefix and SHA-256 are stored.

Revision ID: 177de5be6885
Revises: 7c4d1a9e3b60
Create Date: 2026-12-01 12:07:13.363304
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db

revision: str = '177de5be6885'
down_revision: str | None = '7c4d1a9e3b60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gate_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_pk', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', venuecode.db.Instant(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('revoked_at', venuecode.db.Instant(), nullable=True),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.Column('last_used_at', venuecode.db.Instant(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                            name=op.f('fk_gate_devices_created_by_users')),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'],
                            name=op.f('fk_gate_devices_revoked_by_users')),
    sa.ForeignKeyConstraint(['venue_pk'], ['venues.id'],
                            name=op.f('fk_gate_devices_venue_pk_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_devices'))
    )
    with op.batch_alter_table('gate_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_devices_prefix'), ['prefix'], unique=False)
        batch_op.create_index(batch_op.f('ix_gate_devices_venue_pk'), ['venue_pk'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gate_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_devices_venue_pk'))
        batch_op.drop_index(batch_op.f('ix_gate_devices_prefix'))
    op.drop_table('gate_devices')
