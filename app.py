"""Greenlane's application factory: config → extensions → blueprints → error handlers → CLI."""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import fields
from sqlalchemy.orm import configure_mappers

from core import audit_chain, inputs, metrics, sqlite_checkpoints, web
from core.config import from_environment, instance_secret_key
from core.errors import register_error_handlers
from core.extensions import api, csrf, db, limiter, login_manager, migrate
from program import registry


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``config`` overrides the environment (tests pass a mapping)."""
    app = Flask(__name__, instance_relative_config=True, template_folder="templates", static_folder="static")
    app.config.from_mapping(from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    register_extensions(app)
    inputs.register(app)  # before the blueprints: their <int:…> rules take the bounded converter
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    web.register_request_hooks(app)
    metrics.register(app)
    audit_chain.register(app)
    sqlite_checkpoints.register(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the bare extension instances of ``core.extensions`` to ``app``."""
    registry.import_models()
    # Configure every mapper now, in the factory, rather than on a worker's first query: under gunicorn
    # each worker builds the app, and that first request would otherwise pay for all mappers at once.
    configure_mappers()
    db.init_app(app)
    migrate.init_app(app, db, directory="migrations", render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearerAuth": []}]})
    # Decimals are answered as strings ("12000.00"): document them so (OpenAPI matches the answers).
    api.register_field(fields.Decimal, "string", "decimal")
    web.configure_database_engine()


def register_blueprints(app: Flask) -> None:
    """Web blueprints (HTML) and API blueprints (JSON, CSRF-exempt, token auth) of every domain."""
    for blueprint in registry.web_blueprints():
        app.register_blueprint(blueprint)
    for blueprint in registry.api_blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    """CLI groups: users, seed, audit and every domain's commands."""
    for group in registry.cli_groups():
        app.cli.add_command(group)
