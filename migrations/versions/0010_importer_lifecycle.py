"""An importer's whole life in the program: renewal hand-over (status ``renewed``), annual review, notices of
proposed action and appeals, sector-level suspension, other programs, the re-application bar's lift,
renewal reminders; customs brokers (organisation kind and role ``broker``), delegations, organisation
administrators and their invitations; the audit entry's acting-for organisation.

Existing rows: approved and suspended enrollments get ``review_due`` one year after their approval; the
earliest active user of every party organisation becomes its administrator.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 13:10:00

"""
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

_STATUSES_OLD = "'approved', 'denied', 'draft', 'expired', 'info_requested', 'revoked', 'submitted', 'suspended', 'withdrawn'"
_STATUSES_NEW = ("'approved', 'denied', 'draft', 'expired', 'info_requested', 'renewed', 'revoked', 'submitted', "
                 "'suspended', 'withdrawn'")
_PROGRAM_OLD = "'approved', 'expired', 'revoked', 'suspended'"
_PROGRAM_NEW = "'approved', 'expired', 'renewed', 'revoked', 'suspended'"
_OPEN = "'approved', 'draft', 'info_requested', 'submitted', 'suspended'"
_PENDING = "'draft', 'info_requested', 'submitted'"
_ACTIVE = "'approved', 'suspended'"


def _program_check(statuses: str) -> str:
    return (f"(status IN ({statuses}) AND program_id IS NOT NULL AND valid_until IS NOT NULL) "
            f"OR (status NOT IN ({statuses}) AND program_id IS NULL)")


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organization_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('importer', 'rights_holder', 'industry_group', 'broker', 'cbp')")
        batch_op.alter_column('kind', existing_type=sa.String(length=20), existing_nullable=False,
                              comment='importer, rights_holder, industry_group, broker, cbp')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(
            'role', "role IN ('importer', 'rights_holder', 'industry_group', 'broker', 'reviewer', 'admin')")
        batch_op.alter_column('role', existing_type=sa.String(length=20), existing_nullable=False,
                              comment='importer, rights_holder, industry_group, broker, reviewer, admin')
        batch_op.add_column(sa.Column('org_admin', sa.Boolean(), server_default=sa.text('false'), nullable=False,
                                      comment="Administers the organisation's users (one per party organisation)"))

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'acting_for_organization_id', sa.Integer(), nullable=True,
            comment="Organisation the actor acted for (a broker's principal); null when acting for its own"))
        batch_op.create_index(batch_op.f('ix_audit_entry_acting_for_organization_id'), ['acting_for_organization_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entry_acting_for_organization_id_organization'),
                                    'organization', ['acting_for_organization_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('uq_enrollment_open_per_organization',
                            sqlite_where=sa.text(f"status IN ({_OPEN})"), postgresql_where=sa.text(f"status IN ({_OPEN})"))
        batch_op.drop_constraint(op.f('ck_enrollment_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_enrollment_program_id'), type_='check')
        batch_op.create_check_constraint('status', f"status IN ({_STATUSES_NEW})")
        batch_op.create_check_constraint('program_id', _program_check(_PROGRAM_NEW))
        batch_op.alter_column('status', existing_type=sa.String(length=20), existing_nullable=False,
                              comment='draft, submitted, info_requested, approved, denied, suspended, revoked, '
                                      'expired, withdrawn, renewed')
        batch_op.add_column(sa.Column('review_due', sa.Date(), nullable=True,
                                      comment='Next annual profile review (anniversary of the approval); null until approved'))
        batch_op.add_column(sa.Column('other_programs', sa.JSON(), server_default=sa.text("'[]'"), nullable=False,
                                      comment='Other programs held [{program, tier, account_number, '
                                              'mutual_recognition_country, verified, verified_by, verified_at, note}]'))
        batch_op.add_column(sa.Column('bar_lifted_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='When an admin lifted the re-application bar of this revocation'))
        batch_op.add_column(sa.Column('bar_lifted_by_id', sa.Integer(), nullable=True,
                                      comment='Admin who lifted the re-application bar'))
        batch_op.create_foreign_key(batch_op.f('fk_enrollment_bar_lifted_by_id_user_account'), 'user_account',
                                    ['bar_lifted_by_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index('uq_enrollment_pending_per_organization', ['organization_id'], unique=True,
                              sqlite_where=sa.text(f"status IN ({_PENDING})"),
                              postgresql_where=sa.text(f"status IN ({_PENDING})"))
        batch_op.create_index('uq_enrollment_active_per_organization', ['organization_id'], unique=True,
                              sqlite_where=sa.text(f"status IN ({_ACTIVE})"),
                              postgresql_where=sa.text(f"status IN ({_ACTIVE})"))

    with op.batch_alter_table('enrollment_sector', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended', sa.Boolean(), server_default=sa.text('false'), nullable=False,
                                      comment='True while CBP suspends this approved sector'))
        batch_op.create_check_constraint('approved_or_suspended', 'NOT (approved AND suspended)')

    op.create_table('enrollment_notice',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('enrollment_id', sa.Integer(), nullable=False, comment='Enrollment concerned'),
    sa.Column('action', sa.String(length=20), nullable=False, comment='Proposed action: deny, suspend or revoke'),
    sa.Column('reason', sa.Text(), nullable=False, comment='Why CBP proposes it, as the importer reads it'),
    sa.Column('respond_by', sa.Date(), nullable=False, comment="Last day for the importer's reply"),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True, comment='Reviewer who proposed it'),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False, comment='When proposed'),
    sa.Column('reply', sa.Text(), nullable=False, comment="The importer's answer, if any"),
    sa.Column('replied_by_id', sa.Integer(), nullable=True, comment='Importer user who replied'),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True, comment='When the importer replied'),
    sa.CheckConstraint("action IN ('deny', 'revoke', 'suspend')", name=op.f('ck_enrollment_notice_action')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_enrollment_notice_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_enrollment_notice_proposed_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user_account.id'], name=op.f('fk_enrollment_notice_replied_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment_notice'))
    )
    with op.batch_alter_table('enrollment_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_notice_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('enrollment_appeal',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('enrollment_id', sa.Integer(), nullable=False, comment='Enrollment concerned'),
    sa.Column('decision_change_id', sa.Integer(), nullable=False, comment='The history step appealed (one appeal per decision)'),
    sa.Column('grounds', sa.Text(), nullable=False, comment='Why the importer says the decision is wrong'),
    sa.Column('filed_by_id', sa.Integer(), nullable=True, comment='Importer user who appealed'),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False, comment='When appealed'),
    sa.Column('outcome', sa.String(length=10), nullable=True, comment='overturn or uphold; null while open'),
    sa.Column('reason', sa.Text(), nullable=False, comment="The appeal decision's reason"),
    sa.Column('decided_by_id', sa.Integer(), nullable=True, comment='Reviewer who decided the appeal'),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True, comment='When the appeal was decided'),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('overturn', 'uphold')", name=op.f('ck_enrollment_appeal_outcome')),
    sa.CheckConstraint('(outcome IS NULL AND decided_at IS NULL) OR (outcome IS NOT NULL AND decided_at IS NOT NULL)', name=op.f('ck_enrollment_appeal_decided')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_enrollment_appeal_decided_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decision_change_id'], ['enrollment_status_change.id'], name=op.f('fk_enrollment_appeal_decision_change_id_enrollment_status_change'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_enrollment_appeal_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_enrollment_appeal_filed_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment_appeal')),
    sa.UniqueConstraint('decision_change_id', name=op.f('uq_enrollment_appeal_decision_change_id'))
    )
    with op.batch_alter_table('enrollment_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_appeal_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('enrollment_reminder',
    sa.Column('enrollment_id', sa.Integer(), nullable=False, comment='Enrollment reminded of'),
    sa.Column('days_before', sa.Integer(), nullable=False, comment='Threshold: 90, 30 or 7 days'),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False, comment='When queued'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_enrollment_reminder_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrollment_id', 'days_before', name=op.f('pk_enrollment_reminder'))
    )

    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('importer_organization_id', sa.Integer(), nullable=False, comment='Importer granting authority'),
    sa.Column('broker_organization_id', sa.Integer(), nullable=False, comment='Broker receiving it'),
    sa.Column('scopes', sa.JSON(), nullable=False, comment='decisions, blank_declarations and/or enrollment_read'),
    sa.Column('valid_until', sa.Date(), nullable=True, comment='Last day in force; null until revoked'),
    sa.Column('created_by_id', sa.Integer(), nullable=True, comment='Importer user who granted it'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When granted'),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True, comment='When revoked; never cleared'),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True, comment='Importer user who revoked it'),
    sa.ForeignKeyConstraint(['broker_organization_id'], ['organization.id'], name=op.f('fk_delegation_broker_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_delegation_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['importer_organization_id'], ['organization.id'], name=op.f('fk_delegation_importer_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_delegation_revoked_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation'))
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_broker_organization_id'), ['broker_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_importer_organization_id'), ['importer_organization_id'], unique=False)
        batch_op.create_index('uq_delegation_live_pair', ['importer_organization_id', 'broker_organization_id'],
                              unique=True, sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key'),
    sa.Column('organization_id', sa.Integer(), nullable=False, comment='Organisation to join'),
    sa.Column('email', sa.String(length=254), nullable=False, comment='Invited address, lower-case'),
    sa.Column('token_hash', sa.String(length=64), nullable=False, comment='SHA-256 hex digest of the link token'),
    sa.Column('invited_by_id', sa.Integer(), nullable=True, comment='Administrator who invited'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When sent'),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False, comment='Link unusable after this'),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True, comment='When used (a link works once)'),
    sa.Column('user_id', sa.Integer(), nullable=True, comment='User created by accepting it'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_invitation_invited_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_invitation_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_invitation_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_organization_id'), ['organization_id'], unique=False)

    _backfill()


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _backfill() -> None:
    """Annual review dates of enrollments in the program; one administrator per party organisation."""
    bind = op.get_bind()
    enrollment = sa.table('enrollment', sa.column('id', sa.Integer), sa.column('status', sa.String),
                          sa.column('decided_at', sa.DateTime(timezone=True)), sa.column('review_due', sa.Date))
    rows = bind.execute(sa.select(enrollment.c.id, enrollment.c.decided_at)
                        .where(enrollment.c.status.in_(['approved', 'suspended']))).all()
    for enrollment_id, decided_at in rows:
        if isinstance(decided_at, str):  # SQLite hands back text
            decided_at = datetime.fromisoformat(decided_at)
        if decided_at is not None:
            bind.execute(enrollment.update().where(enrollment.c.id == enrollment_id)
                         .values(review_due=_one_year_after(decided_at.date())))
    user = sa.table('user_account', sa.column('id', sa.Integer), sa.column('organization_id', sa.Integer),
                    sa.column('role', sa.String), sa.column('active', sa.Boolean), sa.column('org_admin', sa.Boolean))
    first = (sa.select(sa.func.min(user.c.id)).where(user.c.active.is_(True), user.c.role.notin_(['reviewer', 'admin']))
             .group_by(user.c.organization_id))
    bind.execute(user.update().where(user.c.id.in_(first)).values(org_admin=True))


def downgrade():
    op.drop_table('invitation')
    op.drop_table('delegation')
    op.drop_table('enrollment_reminder')
    op.drop_table('enrollment_appeal')
    op.drop_table('enrollment_notice')
    with op.batch_alter_table('enrollment_sector', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrollment_sector_approved_or_suspended'), type_='check')
        batch_op.drop_column('suspended')
    op.execute("UPDATE enrollment SET status = 'expired' WHERE status = 'renewed'")
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('uq_enrollment_active_per_organization',
                            sqlite_where=sa.text(f"status IN ({_ACTIVE})"), postgresql_where=sa.text(f"status IN ({_ACTIVE})"))
        batch_op.drop_index('uq_enrollment_pending_per_organization',
                            sqlite_where=sa.text(f"status IN ({_PENDING})"), postgresql_where=sa.text(f"status IN ({_PENDING})"))
        batch_op.drop_constraint(op.f('fk_enrollment_bar_lifted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('bar_lifted_by_id')
        batch_op.drop_column('bar_lifted_at')
        batch_op.drop_column('other_programs')
        batch_op.drop_column('review_due')
        batch_op.drop_constraint(op.f('ck_enrollment_program_id'), type_='check')
        batch_op.drop_constraint(op.f('ck_enrollment_status'), type_='check')
        batch_op.create_check_constraint('status', f"status IN ({_STATUSES_OLD})")
        batch_op.create_check_constraint('program_id', _program_check(_PROGRAM_OLD))
        batch_op.create_index('uq_enrollment_open_per_organization', ['organization_id'], unique=True,
                              sqlite_where=sa.text(f"status IN ({_OPEN})"), postgresql_where=sa.text(f"status IN ({_OPEN})"))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_audit_entry_acting_for_organization_id_organization'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entry_acting_for_organization_id'))
        batch_op.drop_column('acting_for_organization_id')
    op.execute("DELETE FROM user_account WHERE role = 'broker'")
    op.execute("DELETE FROM organization WHERE kind = 'broker'")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('org_admin')
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('importer', 'rights_holder', 'industry_group', 'reviewer', 'admin')")
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organization_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('importer', 'rights_holder', 'industry_group', 'cbp')")
