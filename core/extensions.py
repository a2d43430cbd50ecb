"""Bare extension instances, wired to the app by ``create_app`` (cookiecutter-flask style)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from marshmallow import Schema, fields
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic revisions portable between SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ErrorSchema(Schema):
    """Every JSON error (core.errors.json_error): a machine code, a message, the HTTP status and, for 422s, the
    failing fields."""

    code = fields.String(required=True, metadata={"description": "Machine-readable code, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    errors = fields.Dict(metadata={"description": "Failing fields by location (json, query, form, files)"})


class GreenlaneApi(Api):
    """flask-smorest's Api documenting Greenlane's error shape."""

    ERROR_SCHEMA = ErrorSchema


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = GreenlaneApi()
