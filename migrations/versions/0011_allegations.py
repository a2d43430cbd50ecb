"""Report IP theft: allegations from the public, their evidence files and triage history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:08:07.773644

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('allegation',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('receipt', sa.String(length=14), nullable=False, comment='Receipt number AL-YYYY-NNNNNN given to the reporter'),
    sa.Column('status', sa.String(length=10), nullable=False, comment='new, triaged, referred or closed'),
    sa.Column('channel', sa.String(length=3), nullable=False, comment='Where it came in: web (the /report page) or api'),
    sa.Column('summary', sa.String(length=200), nullable=False, comment='One-line summary written by the reporter'),
    sa.Column('details', sa.Text(), nullable=False, comment='What the reporter saw, in their words'),
    sa.Column('suspect_name', sa.String(length=200), nullable=False, comment='Name of the suspected seller or importer, if given'),
    sa.Column('suspect_website', sa.String(length=500), nullable=False, comment='Website or listing address, if given'),
    sa.Column('suspect_marketplace', sa.String(length=200), nullable=False, comment='Marketplace the goods are sold on, if given'),
    sa.Column('suspect_country', sa.String(length=100), nullable=False, comment='Country of the suspect, if given'),
    sa.Column('ports', sa.JSON(), nullable=False, comment='Four-digit CBP port codes the goods come through, if known'),
    sa.Column('reporter_name', sa.String(length=200), nullable=False, comment="Reporter's name; empty when anonymous (never shown to the accused)"),
    sa.Column('reporter_email', sa.String(length=254), nullable=False, comment="Reporter's e-mail for the acknowledgement; empty when anonymous"),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False, comment='When it was received'),
    sa.Column('organization_id', sa.Integer(), nullable=True, comment='Importer organisation the reviewer linked it to (its record shows referrals to reviewers only)'),
    sa.Column('ior_number', sa.String(length=13), nullable=True, comment='IOR number the reviewer linked it to'),
    sa.Column('case_uei', sa.String(length=15), nullable=True, comment='Enforcement case (UEI) the reviewer linked it to'),
    sa.Column('triage_note', sa.Text(), nullable=False, comment="The reviewer's latest triage note"),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True, comment='When a reviewer first acted on it'),
    sa.Column('triaged_by_id', sa.Integer(), nullable=True, comment='Reviewer who acted on it last'),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=True, comment='When it was referred for enforcement'),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True, comment='When it was closed'),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_allegation_closed_at')),
    sa.CheckConstraint("(status = 'new') = (triaged_at IS NULL)", name=op.f('ck_allegation_triaged_at')),
    sa.CheckConstraint("channel IN ('web', 'api')", name=op.f('ck_allegation_channel')),
    sa.CheckConstraint("status <> 'referred' OR (referred_at IS NOT NULL AND (organization_id IS NOT NULL OR ior_number IS NOT NULL))", name=op.f('ck_allegation_referred_target')),
    sa.CheckConstraint("status IN ('new', 'triaged', 'referred', 'closed')", name=op.f('ck_allegation_status')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_allegation_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['user_account.id'], name=op.f('fk_allegation_triaged_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allegation')),
    sa.UniqueConstraint('receipt', name=op.f('uq_allegation_receipt')),
    comment='Report IP theft: allegations from the public; never shown to the party they accuse'
    )
    with op.batch_alter_table('allegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allegation_ior_number'), ['ior_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_allegation_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allegation_received_at'), ['received_at'], unique=False)
        batch_op.create_index('ix_allegation_status_received', ['status', 'received_at'], unique=False)

    op.create_table('allegation_evidence',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('allegation_id', sa.Integer(), nullable=False, comment='The allegation'),
    sa.Column('stored_file_id', sa.Integer(), nullable=False, comment='The uploaded file'),
    sa.ForeignKeyConstraint(['allegation_id'], ['allegation.id'], name=op.f('fk_allegation_evidence_allegation_id_allegation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_file.id'], name=op.f('fk_allegation_evidence_stored_file_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allegation_evidence')),
    sa.UniqueConstraint('stored_file_id', name=op.f('uq_allegation_evidence_stored_file_id'))
    )
    with op.batch_alter_table('allegation_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allegation_evidence_allegation_id'), ['allegation_id'], unique=False)

    op.create_table('allegation_status_change',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('allegation_id', sa.Integer(), nullable=False, comment='The allegation'),
    sa.Column('from_status', sa.String(length=10), nullable=False, comment='Status before'),
    sa.Column('to_status', sa.String(length=10), nullable=False, comment='Status after'),
    sa.Column('note', sa.Text(), nullable=False, comment="The reviewer's note"),
    sa.Column('actor_id', sa.Integer(), nullable=False, comment='Reviewer'),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False, comment='When'),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_allegation_status_change_actor_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['allegation_id'], ['allegation.id'], name=op.f('fk_allegation_status_change_allegation_id_allegation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allegation_status_change'))
    )
    with op.batch_alter_table('allegation_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allegation_status_change_allegation_id'), ['allegation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('allegation_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allegation_status_change_allegation_id'))

    op.drop_table('allegation_status_change')
    with op.batch_alter_table('allegation_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allegation_evidence_allegation_id'))

    op.drop_table('allegation_evidence')
    with op.batch_alter_table('allegation', schema=None) as batch_op:
        batch_op.drop_index('ix_allegation_status_received')
        batch_op.drop_index(batch_op.f('ix_allegation_received_at'))
        batch_op.drop_index(batch_op.f('ix_allegation_organization_id'))
        batch_op.drop_index(batch_op.f('ix_allegation_ior_number'))

    op.drop_table('allegation')
