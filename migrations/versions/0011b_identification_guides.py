"""Structured product identification guides: guides, their versions (sections, authentication contact, HTS
prefixes), the marks and sectors each version covers, and captioned images.

Revision ID: 0011b
Revises: 0011
Create Date: 2026-12-03 13:20:43.578628

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011b'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identification_guide',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('organization_id', sa.Integer(), nullable=False, comment='Rights-holder organisation that owns it'),
    sa.Column('current_version', sa.Integer(), nullable=False, comment='Number of the version in force'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When first written'),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True, comment='When its owner withdrew it'),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True, comment='User who withdrew it'),
    sa.CheckConstraint('(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)', name=op.f('ck_identification_guide_withdrawn_state')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_identification_guide_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_identification_guide_withdrawn_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identification_guide')),
    comment='Structured product identification guides of rights holders (versions hold the content)'
    )
    with op.batch_alter_table('identification_guide', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identification_guide_organization_id'), ['organization_id'], unique=False)

    op.create_table('guide_version',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('guide_id', sa.Integer(), nullable=False, comment='The guide'),
    sa.Column('version', sa.Integer(), nullable=False, comment='1, 2, … within the guide'),
    sa.Column('title', sa.String(length=200), nullable=False, comment='What the guide covers, e.g. Acme Diver watches (2026 line)'),
    sa.Column('genuine_features', sa.Text(), nullable=False, comment='Section: genuine features'),
    sa.Column('packaging_labels', sa.Text(), nullable=False, comment='Section: packaging and labels'),
    sa.Column('serial_formats', sa.Text(), nullable=False, comment='Section: serial number and UPC formats'),
    sa.Column('counterfeit_tells', sa.Text(), nullable=False, comment='Section: common counterfeit tells'),
    sa.Column('contact_name', sa.String(length=200), nullable=False, comment='Who authenticates goods for officers'),
    sa.Column('contact_email', sa.String(length=254), nullable=False, comment="Authentication contact's e-mail"),
    sa.Column('contact_phone', sa.String(length=40), nullable=False, comment="Authentication contact's telephone"),
    sa.Column('service_hours', sa.Integer(), nullable=True, comment='Hours within which the owner answers an authentication request (e.g. 24 or 48)'),
    sa.Column('hts_prefixes', sa.JSON(), nullable=False, comment='HTS prefixes (2-10 digits) of the goods covered; search matches codes starting with one'),
    sa.Column('change_note', sa.Text(), nullable=False, comment='What changed from the previous version'),
    sa.Column('created_by_id', sa.Integer(), nullable=True, comment='User who wrote this version'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When this version was written'),
    sa.CheckConstraint('service_hours IS NULL OR (service_hours >= 1 AND service_hours <= 720)', name=op.f('ck_guide_version_service_hours')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_guide_version_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_guide_version_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['guide_id'], ['identification_guide.id'], name=op.f('fk_guide_version_guide_id_identification_guide'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_version')),
    sa.UniqueConstraint('guide_id', 'version', name=op.f('uq_guide_version_guide_id_version')),
    comment='Versions of product identification guides; a new version never changes an earlier one'
    )
    with op.batch_alter_table('guide_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_version_guide_id'), ['guide_id'], unique=False)

    op.create_table('guide_image',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('version_id', sa.Integer(), nullable=False, comment='The guide version'),
    sa.Column('section', sa.String(length=20), nullable=False, comment='Section it illustrates, or general'),
    sa.Column('caption', sa.String(length=300), nullable=False, comment='What the picture shows'),
    sa.Column('file_id', sa.Integer(), nullable=False, comment='The image (later versions share it)'),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True, comment='Generated thumbnail'),
    sa.CheckConstraint("section IN ('genuine_features', 'packaging_labels', 'serial_formats', 'counterfeit_tells', 'general')", name=op.f('ck_guide_image_section')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_guide_image_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['stored_file.id'], name=op.f('fk_guide_image_thumbnail_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['guide_version.id'], name=op.f('fk_guide_image_version_id_guide_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_image'))
    )
    with op.batch_alter_table('guide_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_image_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guide_image_version_id'), ['version_id'], unique=False)

    op.create_table('guide_version_mark',
    sa.Column('version_id', sa.Integer(), nullable=False, comment='The guide version'),
    sa.Column('mark_id', sa.Integer(), nullable=False, comment='A recorded mark the guide helps authenticate'),
    sa.ForeignKeyConstraint(['mark_id'], ['recorded_mark.id'], name=op.f('fk_guide_version_mark_mark_id_recorded_mark'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['guide_version.id'], name=op.f('fk_guide_version_mark_version_id_guide_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'mark_id', name=op.f('pk_guide_version_mark')),
    comment='Recorded marks a product identification guide version covers'
    )
    with op.batch_alter_table('guide_version_mark', schema=None) as batch_op:
        batch_op.create_index('ix_guide_version_mark_mark', ['mark_id', 'version_id'], unique=False)

    op.create_table('guide_version_sector',
    sa.Column('version_id', sa.Integer(), nullable=False, comment='The guide version'),
    sa.Column('sector_code', sa.String(length=40), nullable=False, comment='A sector of the goods the guide covers'),
    sa.ForeignKeyConstraint(['sector_code'], ['sector.code'], name=op.f('fk_guide_version_sector_sector_code_sector'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['guide_version.id'], name=op.f('fk_guide_version_sector_version_id_guide_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'sector_code', name=op.f('pk_guide_version_sector')),
    comment='Sectors a product identification guide version covers'
    )


def downgrade():
    op.drop_table('guide_version_sector')
    with op.batch_alter_table('guide_version_mark', schema=None) as batch_op:
        batch_op.drop_index('ix_guide_version_mark_mark')

    op.drop_table('guide_version_mark')
    with op.batch_alter_table('guide_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_image_version_id'))
        batch_op.drop_index(batch_op.f('ix_guide_image_file_id'))

    op.drop_table('guide_image')
    with op.batch_alter_table('guide_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_version_guide_id'))

    op.drop_table('guide_version')
    with op.batch_alter_table('identification_guide', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identification_guide_organization_id'))

    op.drop_table('identification_guide')
