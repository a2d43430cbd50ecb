"""Decision rows check their codes with comparisons: each ``column IN ('a', 'b', …)`` CHECK of
``release_decision`` and ``release_decision_line`` becomes ``column = 'a' OR column = 'b' OR …`` — the same
test, but SQLite built a b-tree for every statement to evaluate an ``IN`` list, 2.3 s of the screen's inserts per
million parcels (core/schema.py). SQLite rebuilds both tables; PostgreSQL swaps each constraint, adding the new
one ``NOT VALID`` and validating it without blocking writes.

Revision ID: 0017
Revises: 0016
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OUTCOMES = ('expedited_release', 'standard_processing', 'refer_for_examination')
CONDITIONS = ('new_parallel', 'used', 'refurbished', 'recycled', 'blank')
# table -> (constraint name after the table's prefix, column, values)
CHECKS = {
    'release_decision': (
        ('outcome', 'outcome', OUTCOMES),
        ('source', 'source', ('api', 'batch', 'web', 'screen')),
        ('status', 'status', ('live', 'superseded')),
        ('line_outcome', 'line_outcome', OUTCOMES),
        ('line_condition', 'line_condition', CONDITIONS),
    ),
    'release_decision_line': (
        ('outcome', 'outcome', OUTCOMES),
        ('condition', 'condition', CONDITIONS),
    ),
}


def _in_list(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _comparisons(column, values):
    return ' OR '.join(f"{column} = '{v}'" for v in values)


def _sqlite_foreign_keys(on):
    """SQLite rebuilds the tables; with foreign keys on, dropping the old release_decision would cascade-delete
    every line row (and case) of every decision. The pragma is ignored inside a transaction, so the open one is
    committed first (as in 0016)."""
    raw = op.get_bind().connection.dbapi_connection
    raw.commit()
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _swap(form):
    """Every check of CHECKS written in ``form`` (a function of the column and its values)."""
    if op.get_bind().dialect.name == 'postgresql':
        for table, checks in CHECKS.items():
            for name, column, values in checks:
                constraint = f'ck_{table}_{name}'
                op.execute(f'ALTER TABLE {table} DROP CONSTRAINT {constraint}, '
                           f'ADD CONSTRAINT {constraint} CHECK ({form(column, values)}) NOT VALID')
                op.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT {constraint}')
        return
    _sqlite_foreign_keys(False)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, values in checks:
                batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
                batch_op.create_check_constraint(name, form(column, values))
    _sqlite_foreign_keys(True)


def upgrade():
    _swap(_comparisons)


def downgrade():
    _swap(_in_list)
