"""Rights-holder service tiers (COAC 2023 item 9): tiers with fees and paid features (free, standard and premium
inserted), each organisation's tier (none = free, so existing organisations need no data change) and invoices.

Revision ID: 0011c
Revises: 0011b
Create Date: 2026-12-03 13:30:34.463015

"""
from datetime import datetime, timezone
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011c'
down_revision = '0011b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_tier',
    sa.Column('code', sa.String(length=30), nullable=False, comment='Stable code, e.g. free, standard'),
    sa.Column('name', sa.String(length=100), nullable=False, comment='Display name'),
    sa.Column('annual_fee_usd', sa.Numeric(precision=12, scale=2), nullable=False, comment='Yearly fee in U.S. dollars (0 = free)'),
    sa.Column('features', sa.JSON(), nullable=False, comment='Paid features the tier grants'),
    sa.Column('active', sa.Boolean(), nullable=False, comment='Offered to organisations'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When defined'),
    sa.CheckConstraint('annual_fee_usd >= 0', name=op.f('ck_service_tier_fee_not_negative')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_tier')),
    comment='Rights-holder service tiers and their annual fees (COAC 2023 item 9)'
    )
    tiers = sa.table('service_tier', sa.column('code', sa.String), sa.column('name', sa.String),
                     sa.column('annual_fee_usd', sa.Numeric(12, 2)), sa.column('features', sa.JSON),
                     sa.column('active', sa.Boolean), sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(timezone.utc)
    op.bulk_insert(tiers, [
        {'code': 'free', 'name': 'Free', 'annual_fee_usd': Decimal('0.00'), 'features': [], 'active': True,
         'created_at': now},
        {'code': 'standard', 'name': 'Standard', 'annual_fee_usd': Decimal('2500.00'),
         'features': ['analytics_exports', 'email_detention_notices'], 'active': True, 'created_at': now},
        {'code': 'premium', 'name': 'Premium', 'annual_fee_usd': Decimal('10000.00'),
         'features': ['analytics_exports', 'email_detention_notices'], 'active': True, 'created_at': now},
    ])
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('number', sa.String(length=20), nullable=False, comment='Invoice number INV-YYYY-NNNNN'),
    sa.Column('organization_id', sa.Integer(), nullable=False, comment='Organisation invoiced'),
    sa.Column('period', sa.String(length=4), nullable=False, comment='The calendar year invoiced, e.g. 2026'),
    sa.Column('tier_code', sa.String(length=30), nullable=False, comment='Tier invoiced (as at issue)'),
    sa.Column('amount_usd', sa.Numeric(precision=12, scale=2), nullable=False, comment='Amount in U.S. dollars'),
    sa.Column('status', sa.String(length=10), nullable=False, comment='issued, paid or waived'),
    sa.Column('payment_reference', sa.String(length=100), nullable=False, comment='Payment reference (paid)'),
    sa.Column('waiver_reason', sa.Text(), nullable=False, comment='Why it was waived (waived)'),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False, comment='When issued'),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True, comment='When marked paid or waived'),
    sa.Column('settled_by_id', sa.Integer(), nullable=True, comment='Who marked it paid or waived'),
    sa.CheckConstraint("(status = 'issued') = (settled_at IS NULL)", name=op.f('ck_invoice_settled_at')),
    sa.CheckConstraint("status <> 'paid' OR payment_reference <> ''", name=op.f('ck_invoice_paid_reference')),
    sa.CheckConstraint("status IN ('issued', 'paid', 'waived')", name=op.f('ck_invoice_status')),
    sa.CheckConstraint('amount_usd >= 0', name=op.f('ck_invoice_amount_not_negative')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_invoice_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['settled_by_id'], ['user_account.id'], name=op.f('fk_invoice_settled_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tier_code'], ['service_tier.code'], name=op.f('fk_invoice_tier_code_service_tier'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice')),
    sa.UniqueConstraint('number', name=op.f('uq_invoice_number')),
    sa.UniqueConstraint('organization_id', 'period', name=op.f('uq_invoice_organization_id_period')),
    comment='Invoices of rights-holder service tiers, one per organisation and period'
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_period'), ['period'], unique=False)

    op.create_table('organization_tier',
    sa.Column('organization_id', sa.Integer(), nullable=False, comment='The organisation'),
    sa.Column('tier_code', sa.String(length=30), nullable=False, comment='Its tier'),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False, comment='When the tier was set'),
    sa.Column('set_by_id', sa.Integer(), nullable=True, comment='Admin who set it'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_tier_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_organization_tier_set_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tier_code'], ['service_tier.code'], name=op.f('fk_organization_tier_tier_code_service_tier'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_tier'))
    )
    with op.batch_alter_table('organization_tier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_tier_tier_code'), ['tier_code'], unique=False)



def downgrade():
    with op.batch_alter_table('organization_tier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_tier_tier_code'))

    op.drop_table('organization_tier')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_period'))
        batch_op.drop_index(batch_op.f('ix_invoice_organization_id'))

    op.drop_table('invoice')
    op.drop_table('service_tier')
