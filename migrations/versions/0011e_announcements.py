"""Program announcements: notices CBP reviewers publish to every participant or to one sector's.

Revision ID: 0011e
Revises: 0011d
Create Date: 2026-12-03 13:44:01.602816

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011e'
down_revision = '0011d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('title', sa.String(length=200), nullable=False, comment='Headline'),
    sa.Column('body', sa.Text(), nullable=False, comment='The notice'),
    sa.Column('sector_code', sa.String(length=40), nullable=True, comment='Sector it is for; null = every participant'),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False, comment='When published'),
    sa.Column('published_by_id', sa.Integer(), nullable=False, comment='Reviewer'),
    sa.Column('emailed', sa.Integer(), nullable=False, comment='How many e-mails were queued'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_announcement_published_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_announcement_sector_code_sector'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
    comment='Program announcements published by CBP reviewers'
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_sector_code'), ['sector_code'], unique=False)



def downgrade():
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_sector_code'))
        batch_op.drop_index(batch_op.f('ix_announcement_published_at'))

    op.drop_table('announcement')
