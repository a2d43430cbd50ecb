"""Comments on proposed standards: the comment period the drafter sets per version, and the comments (from
signed-in parties or the public) with the drafters' answers.

Revision ID: 0011d
Revises: 0011c
Create Date: 2026-12-03 13:40:57.891436

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011d'
down_revision = '0011c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment_period',
    sa.Column('version_id', sa.Integer(), nullable=False, comment='The standard version'),
    sa.Column('opens_on', sa.Date(), nullable=False, comment='First day comments are accepted'),
    sa.Column('closes_on', sa.Date(), nullable=False, comment='Last day comments are accepted'),
    sa.Column('set_by_id', sa.Integer(), nullable=False, comment='Drafter who set it'),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False, comment='When it was set'),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_comment_period_dates')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_comment_period_set_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['standard_version.id'], name=op.f('fk_comment_period_version_id_standard_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_comment_period')),
    comment='Comment periods of proposed standard versions'
    )
    op.create_table('standard_comment',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('version_id', sa.Integer(), nullable=False, comment='The version commented on'),
    sa.Column('author_id', sa.Integer(), nullable=True, comment='Signed-in author; null for the public'),
    sa.Column('organization_id', sa.Integer(), nullable=True, comment="Author's organisation; null for the public"),
    sa.Column('public_name', sa.String(length=200), nullable=True, comment="Name a member of the public gave ('' = anonymous); null for signed-in authors"),
    sa.Column('text', sa.Text(), nullable=False, comment='The comment'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When written'),
    sa.Column('response', sa.Text(), nullable=False, comment="The drafter's answer"),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True, comment='When answered'),
    sa.Column('responded_by_id', sa.Integer(), nullable=True, comment='Drafter who answered'),
    sa.CheckConstraint('(responded_at IS NULL) = (responded_by_id IS NULL)', name=op.f('ck_standard_comment_responded')),
    sa.CheckConstraint('author_id IS NOT NULL OR public_name IS NOT NULL', name=op.f('ck_standard_comment_author')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_standard_comment_author_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_standard_comment_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['user_account.id'], name=op.f('fk_standard_comment_responded_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['standard_version.id'], name=op.f('fk_standard_comment_version_id_standard_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_comment')),
    comment="Comments on proposed standard versions and the drafters' answers"
    )
    with op.batch_alter_table('standard_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_comment_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('standard_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_comment_version_id'))

    op.drop_table('standard_comment')
    op.drop_table('comment_period')
