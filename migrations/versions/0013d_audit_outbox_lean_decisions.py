"""Audit chain without a global lock (transactional outbox): on PostgreSQL an entry is written with its
transaction's id and linked (``seq``, ``prev_hash``, ``hash``) by the chainer once committed, so those three
become nullable; a partial index over the unlinked entries is the chainer's queue.

Leaner decisions: the indexes on a decision's screening job and on the decision it supersedes cover only
the rows that have one, so a decision asked for through the API writes two index entries fewer.

Revision ID: 0013d
Revises: 0013a
"""
from alembic import op
import sqlalchemy as sa


revision = '0013d'
down_revision = '0013a'
branch_labels = None
depends_on = None

PENDING = sa.text('seq IS NULL')
SPARSE = ('screen_job_id', 'supersedes_id')


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xid', sa.BigInteger(), nullable=True, comment='Id of the transaction that wrote the entry (PostgreSQL): entries are linked in (xid, id) order'))
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=True,
                              comment='Position in the chain, from 1; null while the entry waits to be linked',
                              existing_comment='Position in the chain, from 1')
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True,
                              comment='Hash of the previous entry; null while the entry waits to be linked',
                              existing_comment='Hash of the previous entry')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True,
                              comment='SHA-256(prev_hash + canonical JSON); null while the entry waits to be linked',
                              existing_comment='SHA-256(prev_hash + canonical JSON)')
        batch_op.create_index('ix_audit_entry_pending', ['xid', 'id'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        for column in SPARSE:
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.drop_index(f'ix_release_decision_{column}')
            batch_op.create_index(f'ix_release_decision_{column}', [column], unique=False,
                                  postgresql_where=where, sqlite_where=where)


def downgrade():
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        for column in SPARSE:
            batch_op.drop_index(f'ix_release_decision_{column}')
            batch_op.create_index(f'ix_release_decision_{column}', [column], unique=False)
    # Entries still waiting cannot be kept without a place in the chain: link them first (`flask audit chain --once`).
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_pending', postgresql_where=PENDING, sqlite_where=PENDING)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False,
                              comment='SHA-256(prev_hash + canonical JSON)')
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False,
                              comment='Hash of the previous entry')
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False,
                              comment='Position in the chain, from 1')
        batch_op.drop_column('xid')
