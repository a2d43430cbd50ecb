"""Where every domain plugs into the app: its tables, blueprints and CLI groups.

``program`` is the top layer, so this is the one place allowed to import core, standards and
program modules together; ``app.create_app`` reads these lists.
"""

from __future__ import annotations

from flask import Blueprint
from flask.cli import AppGroup


def import_models() -> None:
    """Import every model module so SQLAlchemy metadata (and Alembic) know all tables, then wire hooks."""
    import core.accounts.models  # noqa: F401
    import core.audit  # noqa: F401
    import core.notifications  # noqa: F401
    import core.uploads  # noqa: F401
    import program.allegations.models  # noqa: F401
    import program.announcements.models  # noqa: F401
    import program.blanks.models  # noqa: F401
    import program.cases.models  # noqa: F401
    import program.decisions.models  # noqa: F401
    import program.enrollment.models  # noqa: F401
    import program.messages.models  # noqa: F401
    import program.tiers.models  # noqa: F401
    import standards.models  # noqa: F401
    from program import wiring

    wiring.connect()


def web_blueprints() -> list[Blueprint]:
    """HTML blueprints, in registration order."""
    from core.accounts.org_views import bp as organization
    from core.accounts.views import bp as accounts
    from core.audit_views import bp as audit
    from core.health import bp as health
    from program.allegations.views import bp as allegations
    from program.announcements.views import bp as announcements
    from program.blanks.views import bp as blanks
    from program.brokers.views import bp as brokers
    from program.cases.views import bp as cases
    from program.cases.views_stats import bp as cases_stats
    from program.dashboards.views import bp as dashboards
    from program.decisions.screen_views import bp as decisions_screen
    from program.decisions.views import bp as decisions
    from program.decisions.views_shippers import bp as shippers
    from program.enrollment.views import bp as enrollment
    from program.enrollment.views_debarred import bp as debarred
    from program.enrollment.views_lifecycle import bp as enrollment_lifecycle
    from program.enrollment.views_public import bp as verify
    from program.enrollment.views_review import bp as enrollment_review
    from program.messages.views import bp as messages
    from program.tiers.views import bp as tiers
    from standards.comment_views import bp as standard_comments
    from standards.guide_views import bp as guides
    from standards.mark_views import bp as marks
    from standards.sector_views import bp as sectors
    from standards.views import bp as standards

    return [health, accounts, organization, audit, dashboards, standards, marks, sectors, enrollment, enrollment_review, debarred,
            enrollment_lifecycle, verify, messages, blanks, decisions, decisions_screen, shippers, cases, cases_stats, brokers,
            allegations, guides, tiers, standard_comments, announcements]


def api_blueprints() -> list[Blueprint]:
    """flask-smorest blueprints under /api/v1 (CSRF-exempt, bearer-token auth)."""
    from core.accounts.api import blp as auth_api
    from core.accounts.delegations_api import blp as delegations_api
    from core.audit_views import blp as audit_api
    from program.allegations.api import blp as allegations_api
    from program.announcements.api import blp as announcements_api
    from program.blanks.api import blp as blanks_api
    from program.cases.api import blp as cases_api
    from program.decisions.api import blp as decisions_api
    from program.enrollment.api import blp as enrollment_api
    from program.enrollment.debarred_api import blp as debarred_api
    from program.messages.api import blp as messages_api
    from program.tiers.api import blp as tiers_api
    from standards.api import blp as standards_api
    from standards.api_comments import blp as standard_comments_api
    from standards.api_guides import blp as guides_api
    from standards.api_versions import blp as standard_versions_api

    return [auth_api, delegations_api, audit_api, standards_api, standard_versions_api, enrollment_api, debarred_api,
            messages_api, blanks_api, decisions_api, cases_api, allegations_api, guides_api, tiers_api,
            standard_comments_api, announcements_api]


def cli_groups() -> list[AppGroup]:
    """Click groups added to ``flask --app app``; also registers every domain's demo-data seeder."""
    from core.accounts.cli import users_cli
    from core.audit_views import audit_cli
    from core.notifications_cli import outbox_cli
    from program.allegations import seed as _allegations_seed  # noqa: F401  (appends its seeder)
    from program.announcements import seed as _announcements_seed  # noqa: F401  (appends its seeder)
    from program.blanks import seed as _blanks_seed  # noqa: F401  (appends its seeder)
    from program.blanks.cli import blanks_cli
    from program.cases import seed as _cases_seed  # noqa: F401  (appends its seeder)
    from program.cases.cli import cases_cli
    from program.decisions import seed as _decisions_seed  # noqa: F401  (appends its seeder)
    from program.decisions import seed_rules as _decision_rules_seed  # noqa: F401  (appends its seeder, after cases)
    from program.decisions.cli import decisions_cli
    from program.enrollment import seed as _enrollment_seed  # noqa: F401  (appends its seeder)
    from program.enrollment.cli import debarred_cli, enrollments_cli
    from program.messages import seed as _messages_seed  # noqa: F401  (appends its seeder)
    from program.seed import SEEDERS, seed_cli
    from program.tiers import seed as _tiers_seed  # noqa: F401  (appends its seeder)
    from program.tiers.cli import invoices_cli
    from standards.cli import marks_cli
    from standards.seed import seed_standards

    if all(seeder is not seed_standards for _label, seeder in SEEDERS):
        SEEDERS.append(("standards", seed_standards))
    return [users_cli, audit_cli, outbox_cli, seed_cli, enrollments_cli, debarred_cli, blanks_cli, cases_cli,
            decisions_cli, marks_cli, invoices_cli]
