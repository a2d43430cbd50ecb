"""Reasons stored once: a decision line holds the id of its list of reasons (``decision_reason_set``) instead of
its own copy of the messages — a border day's millions of parcels repeat a few hundred lists.

Existing lines keep their reasons word for word: each distinct list is stored once and the lines point at it.

Revision ID: 0014
Revises: 0013d
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013d'
branch_labels = None
depends_on = None

REASONS_COMMENT = 'Every rule that fired, in rule order: [{code, message}]'
SET_COMMENT = "Every rule that fired, in rule order: the line's set of reasons (lines share them)"


def _digest(reasons):
    text = json.dumps(reasons, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade():
    sets = op.create_table(
        'decision_reason_set',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False, comment='Surrogate key'),
        sa.Column('digest', sa.String(length=64), nullable=False, comment="SHA-256 of the reasons' canonical JSON (hex)"),
        sa.Column('codes', sa.String(length=1000), nullable=False, comment="The reasons' codes in order, joined with ';'"),
        sa.Column('reasons', sa.JSON(), nullable=False, comment=REASONS_COMMENT),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_reason_set')),
        sa.UniqueConstraint('digest', name=op.f('uq_decision_reason_set_digest')),
    )
    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_set_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True, comment=SET_COMMENT))
    # Each distinct list once; the lines that carry it point at it (few lists, so one UPDATE per list).
    conn = op.get_bind()
    lines = sa.table('release_decision_line', sa.column('reasons', sa.JSON()), sa.column('reason_set_id'))
    as_text = sa.cast(lines.c.reasons, sa.Text())
    for (text,) in conn.execute(sa.select(as_text).distinct()).all():
        reasons = json.loads(text)
        digest = _digest(reasons)
        set_id = conn.execute(sa.select(sets.c.id).where(sets.c.digest == digest)).scalar()
        if set_id is None:
            set_id = conn.execute(sets.insert().values(
                digest=digest, codes=';'.join(r['code'] for r in reasons), reasons=reasons)
                .returning(sets.c.id)).scalar_one()
        conn.execute(lines.update().where(as_text == text).values(reason_set_id=set_id))
    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.alter_column('reason_set_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                              nullable=False, existing_comment=SET_COMMENT)
        batch_op.create_foreign_key(batch_op.f('fk_release_decision_line_reason_set_id_decision_reason_set'),
                                    'decision_reason_set', ['reason_set_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('reasons')


def downgrade():
    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True, comment=REASONS_COMMENT))
    conn = op.get_bind()
    sets = sa.table('decision_reason_set', sa.column('id'), sa.column('reasons', sa.JSON()))
    lines = sa.table('release_decision_line', sa.column('reasons', sa.JSON()), sa.column('reason_set_id'))
    for set_id, reasons in conn.execute(sa.select(sets.c.id, sets.c.reasons)).all():
        conn.execute(lines.update().where(lines.c.reason_set_id == set_id).values(reasons=reasons))
    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.alter_column('reasons', existing_type=sa.JSON(), nullable=False, existing_comment=REASONS_COMMENT)
        batch_op.drop_constraint(batch_op.f('fk_release_decision_line_reason_set_id_decision_reason_set'),
                                 type_='foreignkey')
        batch_op.drop_column('reason_set_id')
    op.drop_table('decision_reason_set')
