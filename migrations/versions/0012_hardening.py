"""Hardening: server-side web sessions, the sign-in failure counter (progressive delay per account and
address), and the audit chain's who-did-it fields (organisation, acting-for, hash version).

Existing audit entries keep hash version 1 (their hashes stay valid); entries written from now on are
hashed with their actor id and organisations (version 2). ``acting_for_organization_id`` may already exist
(added by the brokers' revision): it is added only when missing.

Revision ID: 0012
Revises: 0011e
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011e'
branch_labels = None
depends_on = None


def _audit_columns() -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns("audit_entry")}


def upgrade():
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('user_id', sa.Integer(), nullable=False, comment='Who signed in'),
    sa.Column('key_hash', sa.String(length=64), nullable=False, comment='SHA-256 hex digest of the session key kept in the signed cookie'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When the user signed in'),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True, comment='When signed out or revoked (password change, deactivation); never cleared'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_web_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_web_session_key_hash'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_failure',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('email', sa.String(length=254), nullable=False, comment='E-mail address tried, lower-cased'),
    sa.Column('address', sa.String(length=64), nullable=False, comment='Client address the attempts came from'),
    sa.Column('failures', sa.Integer(), nullable=False, comment='Consecutive failures since the last success'),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False, comment='When the last one failed'),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True, comment='No attempt is checked before this instant (progressive delay)'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure')),
    sa.UniqueConstraint('email', 'address', name=op.f('uq_sign_in_failure_email_address'))
    )

    existing = _audit_columns()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True, comment="The actor's organisation when it acted (hashed from hash version 2)"))
        if 'acting_for_organization_id' not in existing:
            batch_op.add_column(sa.Column('acting_for_organization_id', sa.Integer(), nullable=True, comment='Organisation a broker acted for (on behalf of); null otherwise (hashed from hash version 2)'))
            batch_op.create_index(batch_op.f('ix_audit_entry_acting_for_organization_id'), ['acting_for_organization_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_audit_entry_acting_for_organization_id_organization'), 'organization', ['acting_for_organization_id'], ['id'], ondelete='RESTRICT')
        else:
            batch_op.alter_column(
                'acting_for_organization_id', existing_type=sa.Integer(), existing_nullable=True,
                comment='Organisation a broker acted for (on behalf of); null otherwise (hashed from hash version 2)',
                existing_comment="Organisation the actor acted for (a broker's principal); null when acting for its own")
        batch_op.add_column(sa.Column('hash_version', sa.Integer(), server_default='1', nullable=False, comment='Which fields the hash covers: 1 = before actor_id and organisations were hashed, 2 = all'))
        batch_op.create_index(batch_op.f('ix_audit_entry_organization_id'), ['organization_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entry_organization_id_organization'), 'organization', ['organization_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entry_organization_id_organization'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entry_organization_id'))
        batch_op.drop_column('hash_version')
        batch_op.drop_column('organization_id')
    op.drop_table('sign_in_failure')
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_user_id'))
    op.drop_table('web_session')
