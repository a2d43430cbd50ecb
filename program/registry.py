"""Where every domain plugs into the app: its tables, blueprints and CLI groups.

``program`` is the top layer, so this is the one place allowed to import core, standards and
program modules together; ``app.create_app`` reads these lists.
"""

from __future__ import annotations

from flask import Blueprint
from flask.cli import AppGroup


def import_models() -> None:
    """Import every model module so SQLAlchemy metadata (and Alembic) know all tables."""
    import core.accounts.models  # noqa: F401
    import core.audit  # noqa: F401
    import core.notifications  # noqa: F401
    import core.uploads  # noqa: F401
    import standards.models  # noqa: F401


def web_blueprints() -> list[Blueprint]:
    """HTML blueprints, in registration order."""
    from core.accounts.views import bp as accounts
    from core.audit_views import bp as audit
    from core.health import bp as health
    from program.dashboards.views import bp as dashboards
    from standards.mark_views import bp as marks
    from standards.sector_views import bp as sectors
    from standards.views import bp as standards

    return [health, accounts, audit, dashboards, standards, marks, sectors]


def api_blueprints() -> list[Blueprint]:
    """flask-smorest blueprints under /api/v1 (CSRF-exempt, bearer-token auth)."""
    from core.accounts.api import blp as auth_api
    from core.audit_views import blp as audit_api
    from standards.api import blp as standards_api
    from standards.api_versions import blp as standard_versions_api

    return [auth_api, audit_api, standards_api, standard_versions_api]


def cli_groups() -> list[AppGroup]:
    """Click groups added to ``flask --app app``."""
    from core.accounts.cli import users_cli
    from core.audit_views import audit_cli
    from core.notifications_cli import outbox_cli
    from program.seed import seed_cli

    register_seeders()
    return [users_cli, audit_cli, outbox_cli, seed_cli]


def register_seeders() -> None:
    """Append each domain's demo-data seeder to ``program.seed.SEEDERS`` once, in dependency order."""
    from program.seed import SEEDERS
    from standards.seed import seed_standards

    for label, seeder in (("standards", seed_standards),):
        if all(existing is not seeder for _label, existing in SEEDERS):
            SEEDERS.append((label, seeder))
