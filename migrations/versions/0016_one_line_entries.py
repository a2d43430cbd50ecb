"""A one-line entry is one row: its line is kept in its decision's row (the ``line_*`` columns) instead of a
``release_decision_line`` row beside it — a border day is mostly de minimis parcels of one line each.

Decisions stored before keep their line rows (readers take either); a downgrade moves the lines kept in decision
rows back into line rows.

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OUTCOMES = ('expedited_release', 'standard_processing', 'refer_for_examination')
CONDITIONS = ('new_parallel', 'used', 'refurbished', 'recycled', 'blank')
SET_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# (line column, its decision-row column, type, comment)
COLUMNS = (
    ('line_no', 'line_no', sa.Integer(), 'One-line entry: its line number'),
    ('description', 'line_description', sa.String(length=500), 'One-line entry: goods description'),
    ('hts_code', 'line_hts_code', sa.String(length=10), 'One-line entry: HTS code, 10 digits'),
    ('quantity', 'line_quantity', sa.Numeric(precision=18, scale=3), 'One-line entry: quantity'),
    ('value_usd', 'line_value_usd', sa.Numeric(precision=16, scale=2), 'One-line entry: value in USD'),
    ('sector', 'line_sector', sa.String(length=40), 'One-line entry: sector code'),
    ('condition', 'line_condition', sa.String(length=16), 'One-line entry: condition of the goods'),
    ('recordation_number', 'line_recordation_number', sa.String(length=12), 'One-line entry: recorded mark'),
    ('lever_label', 'line_lever_label', sa.Boolean(), 'One-line entry: Lever-rule label declared'),
    ('blank_declaration_id', 'line_blank_declaration_id', sa.String(length=20),
     'One-line entry: cited blank declaration'),
    ('blank_line_no', 'line_blank_line_no', sa.Integer(), 'One-line entry: cited declared line'),
    ('country_of_origin', 'line_country_of_origin', sa.String(length=2), 'One-line entry: country of origin'),
    ('outcome', 'line_outcome', sa.String(length=24),
     "One-line entry: its line's outcome (null: the lines are release_decision_line rows)"),
    ('reason_set_id', 'line_reason_set_id', SET_ID, "One-line entry: its line's reasons"),
)
REQUIRED = ('line_no', 'line_description', 'line_hts_code', 'line_quantity', 'line_value_usd', 'line_sector',
            'line_condition', 'line_lever_label', 'line_reason_set_id')
FK = 'fk_release_decision_line_reason_set_id_decision_reason_set'


def _sqlite_foreign_keys(on):
    """SQLite rebuilds release_decision to add its constraints; with foreign keys on, dropping the old table would
    cascade-delete every line row (and case) of every decision. The pragma is ignored inside a transaction, so the
    open one is committed first (as in 0008)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _quoted(values):
    return ', '.join(f"'{v}'" for v in values)


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        for _line_column, column, type_, comment in COLUMNS:
            batch_op.add_column(sa.Column(column, type_, nullable=True, comment=comment))
        batch_op.create_foreign_key(FK, 'decision_reason_set', ['line_reason_set_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(
            'one_line', 'line_outcome IS NULL OR (line_count = 1 AND '
            + ' AND '.join(f'{c} IS NOT NULL' for c in REQUIRED) + ')')
        batch_op.create_check_constraint('line_outcome', f'line_outcome IN ({_quoted(OUTCOMES)})')
        batch_op.create_check_constraint('line_condition', f'line_condition IN ({_quoted(CONDITIONS)})')
    _sqlite_foreign_keys(True)


def downgrade():
    line_columns = ', '.join(line_column for line_column, *_ in COLUMNS)
    decision_columns = ', '.join(column for _, column, *_ in COLUMNS)
    op.execute(f'INSERT INTO release_decision_line (decision_id, {line_columns}) '
               f'SELECT id, {decision_columns} FROM release_decision WHERE line_outcome IS NOT NULL')
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('release_decision', schema=None) as batch_op:
        for name in ('line_condition', 'line_outcome', 'one_line'):
            batch_op.drop_constraint(batch_op.f(f'ck_release_decision_{name}'), type_='check')
        batch_op.drop_constraint(FK, type_='foreignkey')
        for _line_column, column, _type, _comment in reversed(COLUMNS):
            batch_op.drop_column(column)
    _sqlite_foreign_keys(True)
