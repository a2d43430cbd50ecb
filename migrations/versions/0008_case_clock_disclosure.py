"""Detention that follows the law: each case's legal basis and clock (presentation, decision to detain,
notice due, end of detention), unredacted-disclosure and seizure-disclosure facts, event amounts,
extensions and bonds, and detention images tied to lines and marked redacted or not.

Existing cases become suspected counterfeits presented and detained on their decision's date (the only
basis and dates the old cases knew); their images are unredacted and tied to no line, so no mark owner
sees them until a reviewer uploads line-tied images (the importer and CBP still see them all).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:20:00

"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

import holidays

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BASES = "'copying_simulating', 'gray_market', 'suspected_counterfeit'"
EVENT_TYPES = ("'abandoned', 'destroyed', 'detained', 'detention_extended', 'exported', 'forfeiture_notice', "
               "'images_shared_importer', 'images_shared_rights_holder', 'importer_response', "
               "'importer_response_insufficient', 'liquidated_damages_claimed', 'manipulated', 'penalty_assessed', "
               "'penalty_closed', 'petition_decided', 'petition_filed', 'released', 'rights_holder_authentication', "
               "'sample_released', 'seized', 'unredacted_disclosed'")
OLD_EVENT_TYPES = ("'abandoned', 'destroyed', 'detained', 'exported', 'images_shared_importer', "
                   "'images_shared_rights_holder', 'importer_response', 'manipulated', 'released', "
                   "'rights_holder_authentication', 'seized'")


def add_business_days(start, days):
    """``days`` business days after ``start``: weekends and U.S. federal holidays (observed) skipped. A copy
    of program.cases.deadlines' rule as of this revision (migrations never import application code)."""
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays.country_holidays("US", years=current.year):
            days -= 1
    return current


def _sqlite_foreign_keys(on):
    """SQLite rebuilds a table to change its constraints; with foreign keys on, dropping the old table would
    cascade-delete every event, image and reminder of every case. The pragma is ignored inside a
    transaction, so the open one (this migration's DML so far) is committed first."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=24), nullable=True, comment='Legal basis: suspected_counterfeit (133.21), gray_market (133.23), copying_simulating (133.22)'))
        batch_op.add_column(sa.Column('presented_on', sa.Date(), nullable=True, comment='Goods presented for examination: day 0 of the clock'))
        batch_op.add_column(sa.Column('detained_on', sa.Date(), nullable=True, comment="CBP's decision to detain (151.16(b))"))
        batch_op.add_column(sa.Column('notice_due', sa.Date(), nullable=True, comment='Five business days after the decision to detain (151.16(c))'))
        batch_op.add_column(sa.Column('detention_ends', sa.Date(), nullable=True, comment="30 calendar days after presentation, or the last extension's date (1499(c), 133.25(a))"))
        batch_op.add_column(sa.Column('insufficient_on', sa.Date(), nullable=True, comment="When a reviewer found the importer's response insufficient (opens unredacted disclosure)"))
        batch_op.add_column(sa.Column('unredacted_disclosed_on', sa.Date(), nullable=True, comment='When unredacted images and codes were disclosed to the mark owner(s) (133.21(b)(2)(ii))'))
        batch_op.add_column(sa.Column('manufacturer_name', sa.String(length=200), nullable=False, server_default='', comment='Manufacturer, for the owner after seizure'))
        batch_op.add_column(sa.Column('manufacturer_address', sa.String(length=500), nullable=False, server_default='', comment="Manufacturer's address"))
        batch_op.add_column(sa.Column('exporter_name', sa.String(length=200), nullable=False, server_default='', comment='Exporter, for the owner after seizure'))
        batch_op.add_column(sa.Column('exporter_address', sa.String(length=500), nullable=False, server_default='', comment="Exporter's address"))
        batch_op.alter_column('response_due', existing_type=sa.Date(), existing_nullable=False, comment='Counterfeit: seven business days after the notice (133.21(b)); otherwise detention_ends')

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT c.id, d.decided_at, c.notice_date FROM enforcement_case c "
        "JOIN release_decision d ON d.id = c.decision_id")).all()
    for case_id, decided_at, notice_date in rows:
        presented = date.fromisoformat(str(decided_at)[:10])
        notice = notice_date if isinstance(notice_date, date) else date.fromisoformat(str(notice_date)[:10])
        presented = min(presented, notice)
        bind.execute(sa.text(
            "UPDATE enforcement_case SET basis = 'suspected_counterfeit', presented_on = :p, detained_on = :p, "
            "notice_due = :nd, detention_ends = :ends WHERE id = :id"),
            {"p": presented, "nd": add_business_days(presented, 5), "ends": presented + timedelta(days=30), "id": case_id})

    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        for column, kind in (('basis', sa.String(length=24)), ('presented_on', sa.Date()), ('detained_on', sa.Date()),
                             ('notice_due', sa.Date()), ('detention_ends', sa.Date())):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
        batch_op.drop_constraint(batch_op.f('ck_enforcement_case_response_due'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_enforcement_case_basis'), f"basis IN ({BASES})")
        batch_op.create_check_constraint(batch_op.f('ck_enforcement_case_clock_order'),
                                         "presented_on <= detained_on AND detained_on <= notice_date")
        batch_op.create_check_constraint(batch_op.f('ck_enforcement_case_detention_ends'), "detention_ends > presented_on")

    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True, comment='USD: penalty_assessed and liquidated_damages_claimed only'))
        batch_op.add_column(sa.Column('until', sa.Date(), nullable=True, comment='detention_extended: the new end of the detention period'))
        batch_op.add_column(sa.Column('bond_reference', sa.String(length=60), nullable=True, comment="sample_released: the owner's bond (133.21(c))"))
        batch_op.drop_constraint(batch_op.f('ck_case_event_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_case_event_type'), f"type IN ({EVENT_TYPES})")
        batch_op.create_check_constraint(
            batch_op.f('ck_case_event_amount'),
            "(amount IS NOT NULL AND amount > 0) = (type IN ('liquidated_damages_claimed', 'penalty_assessed'))")
        batch_op.create_check_constraint(batch_op.f('ck_case_event_until'), "(until IS NOT NULL) = (type = 'detention_extended')")
        batch_op.create_check_constraint(batch_op.f('ck_case_event_bond_reference'),
                                         "(bond_reference IS NOT NULL) = (type = 'sample_released')")

    with op.batch_alter_table('case_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codes', sa.String(length=500), nullable=False, server_default='', comment='Serial numbers, UPC, SKU seen on the goods: the owner gets them with unredacted images only'))
        batch_op.add_column(sa.Column('redacted', sa.Boolean(), nullable=False, server_default=sa.false(), comment='Codes and identifying marks of the importer blacked out (133.21(b)(3))'))
        batch_op.add_column(sa.Column('line_nos', sa.JSON(), nullable=False, server_default='[]', comment='Entry lines the image shows; an owner sees images of its lines only'))
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.create_index('ix_enforcement_case_status_ends', ['status', 'detention_ends'], unique=False)
    op.create_table('case_line',
    sa.Column('case_id', sa.Integer(), nullable=False, comment='The case'),
    sa.Column('line_no', sa.Integer(), nullable=False, comment='Line number on the entry'),
    sa.ForeignKeyConstraint(['case_id'], ['enforcement_case.id'], name=op.f('fk_case_line_case_id_enforcement_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'line_no', name=op.f('pk_case_line'))
    )
    # Existing cases detained the whole entry.
    op.execute("INSERT INTO case_line (case_id, line_no) SELECT c.id, l.line_no FROM enforcement_case c "
               "JOIN release_decision_line l ON l.decision_id = c.decision_id")
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    op.drop_table('case_line')
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.drop_index('ix_enforcement_case_status_ends')
    with op.batch_alter_table('case_image', schema=None) as batch_op:
        batch_op.drop_column('line_nos')
        batch_op.drop_column('redacted')
        batch_op.drop_column('codes')
    op.execute("DELETE FROM case_event WHERE type NOT IN (" + OLD_EVENT_TYPES + ")")
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_event_bond_reference'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_case_event_until'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_case_event_amount'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_case_event_type'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_case_event_type'), f"type IN ({OLD_EVENT_TYPES})")
        batch_op.drop_column('bond_reference')
        batch_op.drop_column('until')
        batch_op.drop_column('amount')
    # The old cases knew seven business days after the notice only.
    bind = op.get_bind()
    for case_id, notice_date in bind.execute(sa.text("SELECT id, notice_date FROM enforcement_case")).all():
        notice = notice_date if isinstance(notice_date, date) else date.fromisoformat(str(notice_date)[:10])
        bind.execute(sa.text("UPDATE enforcement_case SET response_due = :due WHERE id = :id"),
                     {"due": add_business_days(notice, 7), "id": case_id})
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_enforcement_case_detention_ends'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_enforcement_case_clock_order'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_enforcement_case_basis'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_enforcement_case_response_due'), 'response_due > notice_date')
        for column in ('exporter_address', 'exporter_name', 'manufacturer_address', 'manufacturer_name',
                       'unredacted_disclosed_on', 'insufficient_on', 'detention_ends', 'notice_due', 'detained_on',
                       'presented_on', 'basis'):
            batch_op.drop_column(column)
    _sqlite_foreign_keys(True)
