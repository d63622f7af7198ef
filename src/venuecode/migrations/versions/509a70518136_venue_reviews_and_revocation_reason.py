"""venue_reviews and revocation_reason: a venue application's history

Each submission (with what was submitted) and each decision (with its reason), so a
rejected application can be edited and sent again without losing why it was refused; the
revoke reason on the venue, shown to its manager. Both are filled for existing venues from
their audit events.

Revision ID: 509a70518136
Revises: c0501e7a4b21
Create Date: 2026-12-01 12:07:02.851054
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import venuecode.db

revision: str = '509a70518136'
down_revision: str | None = 'c0501e7a4b21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('venue_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_pk', sa.Integer(), nullable=False),
    sa.Column('at', venuecode.db.Instant(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('application', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_venue_reviews_actor_user_id_users')),
    sa.ForeignKeyConstraint(['venue_pk'], ['venues.id'], name=op.f('fk_venue_reviews_venue_pk_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_reviews'))
    )
    with op.batch_alter_table('venue_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_reviews_venue_pk'), ['venue_pk'], unique=False)

    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_reason', sa.Text(), nullable=True))

    # The history so far, from the audit events (the application as then submitted is
    # not in them: those steps have no snapshot).
    op.execute(sa.text(_BACKFILL_REVIEWS))
    op.execute(sa.text(_BACKFILL_REVOCATIONS))


# "venue.applied" -> "applied": the kinds are the actions' names after "venue.".
_BACKFILL_REVIEWS = (
    "INSERT INTO venue_reviews (venue_pk, at, kind, actor_user_id, actor_role, reason) "
    "SELECT v.id, e.at, SUBSTR(e.action, 7), CASE WHEN e.actor LIKE 'user:%' THEN "
    "(SELECT u.id FROM users u WHERE u.id = CAST(SUBSTR(e.actor, 6) AS INTEGER)) END, "
    "e.actor_role, e.reason FROM audit_events e JOIN venues v ON v.venue_id = e.subject_id "
    "WHERE e.subject_type = 'venue' AND e.action IN "
    "('venue.applied', 'venue.approved', 'venue.rejected', 'venue.revoked') ORDER BY e.id")
_BACKFILL_REVOCATIONS = (
    "UPDATE venues SET revocation_reason = (SELECT e.reason FROM audit_events e "
    "WHERE e.subject_type = 'venue' AND e.subject_id = venues.venue_id "
    "AND e.action = 'venue.revoked' ORDER BY e.id DESC LIMIT 1) WHERE status = 'revoked'")


def downgrade() -> None:
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_column('revocation_reason')

    with op.batch_alter_table('venue_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_reviews_venue_pk'))

    op.drop_table('venue_reviews')
