"""Brokers on the bulk screen and appeals of sector suspensions: the screening job names the importer a
broker screened for, and a history step of a sector-level suspension (or reinstatement) names its sectors.

Revision ID: 0013a
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013a'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('screen_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_for_organization_id', sa.Integer(), nullable=True, comment='Importer a broker screened for (its decisions delegation); null for CBP'))
        batch_op.create_foreign_key(batch_op.f('fk_screen_job_acting_for_organization_id_organization'), 'organization', ['acting_for_organization_id'], ['id'], ondelete='RESTRICT')
    with op.batch_alter_table('enrollment_status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sectors', sa.JSON(), nullable=True, comment='Sector codes a sector-level step suspended or reinstated; null otherwise'))


def downgrade():
    with op.batch_alter_table('enrollment_status_change', schema=None) as batch_op:
        batch_op.drop_column('sectors')
    with op.batch_alter_table('screen_job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_screen_job_acting_for_organization_id_organization'), type_='foreignkey')
        batch_op.drop_column('acting_for_organization_id')
