"""Release rules that can't be gamed: sectors' HTS prefixes (with reference data), marks' Lever-rule scope
and recordation expiry, owner-confirmed licences on blank lines, one live decision per entry (superseding),
shipments and countries of origin on decisions, batch idempotency keys, known violative shippers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Frozen copy of the reference HTS prefixes as of this revision (API.md, "Standards").
HTS_PREFIXES = {
    "apparel_footwear": ["61", "62", "64"],
    "handbags_accessories": ["4202"],
    "watches_jewelry": ["91", "7113", "7117"],
    "consumer_electronics": ["8518", "8519", "8521", "8525", "8527", "8528"],
    "mobile_devices": ["851713", "851714"],
    "computers_networking": ["8471", "8473", "851762"],
    "cosmetics_fragrance": ["3303", "3304", "3305"],
    "toys_games": ["9503", "9504"],
    "sporting_goods": ["9506"],
    "home_appliances": ["8450", "8509", "8516"],
    "pharmaceuticals": ["30"],
    "medical_devices": ["9018", "9019", "9020", "9021", "9022"],
    "automotive_parts": ["8708", "4011", "8511", "8512"],
    "aerospace_parts": ["8803", "8411"],
}


def _sqlite_foreign_keys(on):
    """SQLite: batch mode rebuilds release_decision and blank_line, which other tables reference; with foreign
    keys enforced, dropping the old table would fail (or cascade). The pragma works only outside a transaction."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('sector', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hts_prefixes', sa.JSON(), server_default='[]', nullable=False,
                                      comment='HTS code prefixes (2 to 10 digits) of the goods that belong to the sector; kept by admins'))
    sector = sa.table("sector", sa.column("code", sa.String), sa.column("hts_prefixes", sa.JSON))
    for code, prefixes in HTS_PREFIXES.items():
        op.execute(sector.update().where(sector.c.code == code).values(hts_prefixes=prefixes))

    with op.batch_alter_table('recorded_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lever_scope', sa.JSON(), server_default='[]', nullable=False,
                                      comment="HTS prefixes of the products Lever-rule protection is granted for; empty = all the mark's goods"))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True,
                                      comment='Last day of the recordation; past it the mark counts as not recorded (None: open-ended)'))

    with op.batch_alter_table('blank_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence_status', sa.String(length=10), nullable=True,
                                      comment="Licensed lines: pending, confirmed or rejected by the mark's owner; None otherwise"))
        batch_op.add_column(sa.Column('licence_note', sa.Text(), nullable=True,
                                      comment='What the mark owner wrote confirming or rejecting'))
        batch_op.add_column(sa.Column('licence_decided_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='When the owner confirmed or rejected'))
        batch_op.add_column(sa.Column('licence_decided_by_id', sa.Integer(), nullable=True,
                                      comment='Rights-holder user who confirmed or rejected'))
        batch_op.create_foreign_key(batch_op.f('fk_blank_line_licence_decided_by_id_user_account'), 'user_account',
                                    ['licence_decided_by_id'], ['id'], ondelete='RESTRICT')
    # A superseded decision's draws return to the line as ledger rows of negative quantity.
    with op.batch_alter_table('blank_consumption', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_blank_consumption_quantity'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_blank_consumption_quantity'), 'quantity <> 0')
    # Licences declared before owners could confirm them wait for the owner.
    op.execute("UPDATE blank_line SET licence_status = 'pending' WHERE intended_marking = 'licensed'")
    with op.batch_alter_table('blank_line', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('ck_blank_line_licence_status'),
            "(intended_marking = 'licensed') = (licence_status IS NOT NULL) AND "
            "(licence_status IS NULL OR licence_status IN ('pending', 'confirmed', 'rejected'))")

    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='live', nullable=False,
                                      comment='live, or superseded by a later decision for the same entry'))
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True,
                                      comment='The earlier decision for the same entry that this one superseded'))
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='When a later decision superseded it'))
        batch_op.add_column(sa.Column('shipment', sa.JSON(), nullable=True,
                                      comment='Shipment as presented: type (formal, section_321), house_bill, seller {name, country}, marketplace'))
        batch_op.create_foreign_key(batch_op.f('fk_release_decision_supersedes_id_release_decision'), 'release_decision',
                                    ['supersedes_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_release_decision_supersedes_id'), ['supersedes_id'], unique=False)
        batch_op.create_check_constraint(batch_op.f('ck_release_decision_status'), "status IN ('live', 'superseded')")
    # Entries decided more than once before the rule: the newest decision stays live.
    op.execute("UPDATE release_decision SET status = 'superseded' WHERE id NOT IN "
               "(SELECT max_id FROM (SELECT MAX(id) AS max_id FROM release_decision GROUP BY entry_number) AS newest)")
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        batch_op.create_index('uq_release_decision_live_entry', ['entry_number'], unique=True,
                              sqlite_where=sa.text("status = 'live'"), postgresql_where=sa.text("status = 'live'"))

    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country_of_origin', sa.String(length=2), nullable=True,
                                      comment='ISO 3166-1 alpha-2 country of origin'))

    op.create_table('release_decision_batch',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('requested_by_id', sa.Integer(), nullable=True, comment='User (token owner) who sent the batch'),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False, comment="The batch's Idempotency-Key header"),
    sa.Column('request_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the canonical batch body'),
    sa.Column('items', sa.Integer(), nullable=False, comment='Number of items in the batch'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When first received'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_release_decision_batch_requested_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_decision_batch')),
    sa.UniqueConstraint('requested_by_id', 'idempotency_key', name=op.f('uq_release_decision_batch_requested_by_id_idempotency_key'))
    )
    op.create_table('violative_shipper',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('name', sa.String(length=200), nullable=False, comment="Shipper's name as listed"),
    sa.Column('normalized_name', sa.String(length=200), nullable=False, comment='Name after engine.normalize_name, for matching'),
    sa.Column('country', sa.String(length=2), nullable=True, comment='ISO 3166-1 alpha-2 country, if known'),
    sa.Column('reason', sa.Text(), nullable=False, comment='Why the shipper is listed (seizures, intelligence, referral)'),
    sa.Column('created_by_id', sa.Integer(), nullable=True, comment='Reviewer who listed it; None for imports by CLI'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When listed'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_violative_shipper_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violative_shipper'))
    )
    with op.batch_alter_table('violative_shipper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violative_shipper_normalized_name'), ['normalized_name'], unique=False)
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('violative_shipper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violative_shipper_normalized_name'))
    op.drop_table('violative_shipper')
    op.drop_table('release_decision_batch')
    with op.batch_alter_table('release_decision_line', schema=None) as batch_op:
        batch_op.drop_column('country_of_origin')
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        batch_op.drop_index('uq_release_decision_live_entry', sqlite_where=sa.text("status = 'live'"),
                            postgresql_where=sa.text("status = 'live'"))
        batch_op.drop_constraint(batch_op.f('ck_release_decision_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_release_decision_supersedes_id'))
        batch_op.drop_constraint(batch_op.f('fk_release_decision_supersedes_id_release_decision'), type_='foreignkey')
        batch_op.drop_column('shipment')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('supersedes_id')
        batch_op.drop_column('status')
    op.execute("DELETE FROM blank_consumption WHERE quantity < 0")
    with op.batch_alter_table('blank_consumption', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_blank_consumption_quantity'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_blank_consumption_quantity'), 'quantity > 0')
    with op.batch_alter_table('blank_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_blank_line_licence_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_blank_line_licence_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('licence_decided_by_id')
        batch_op.drop_column('licence_decided_at')
        batch_op.drop_column('licence_note')
        batch_op.drop_column('licence_status')
    with op.batch_alter_table('recorded_mark', schema=None) as batch_op:
        batch_op.drop_column('expires_on')
        batch_op.drop_column('lever_scope')
    with op.batch_alter_table('sector', schema=None) as batch_op:
        batch_op.drop_column('hts_prefixes')
    _sqlite_foreign_keys(True)
