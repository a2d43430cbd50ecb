"""Decisions write one index entry fewer for their entry number: the index on every row's entry number gives way
to a partial one over superseded decisions, which with the live-entry unique index finds every decision of an
entry number (the listing's filter asks each by its status).

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SUPERSEDED = sa.text("status = 'superseded'")


def upgrade():
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        batch_op.create_index('ix_release_decision_superseded_entry', ['entry_number'], unique=False,
                              sqlite_where=SUPERSEDED, postgresql_where=SUPERSEDED)
        batch_op.drop_index('ix_release_decision_entry_number')


def downgrade():
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        batch_op.create_index('ix_release_decision_entry_number', ['entry_number'], unique=False)
        batch_op.drop_index('ix_release_decision_superseded_entry', sqlite_where=SUPERSEDED,
                            postgresql_where=SUPERSEDED)
