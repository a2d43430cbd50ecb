"""Configuration read from the environment in one place (API.md, "Running and configuring")."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ONE_MIB = 1024 * 1024


def _float(name: str, default: float) -> float:
    """Read a float from the environment, refusing values that do not parse."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc


def instance_secret_key(instance_path: str) -> str:
    """Return the key kept in the instance folder, generating it (mode 0600) the first time."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    log.warning(
        "SECRET_KEY is not set: generated one into %s. A multi-node deployment must set SECRET_KEY.", path
    )
    return key


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from environment variables, with safe defaults."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'greenlane.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    redis_url = os.environ.get("REDIS_URL") or None
    sample_rate = _float("VERIFICATION_SAMPLE_RATE", 0.02)
    if not 0.0 <= sample_rate <= 1.0:
        raise RuntimeError("VERIFICATION_SAMPLE_RATE must lie between 0 and 1")
    debug = os.environ.get("FLASK_DEBUG", "") in {"1", "true", "True"}
    # Cookies are Secure outside debug; `make run` serves plain HTTP on loopback and turns it off explicitly.
    secure_cookies = os.environ.get("SESSION_COOKIE_SECURE", "0" if debug else "1") not in {"0", "false", "False"}
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pre-ping (a SELECT 1 round trip on every checkout): a connection the server dropped fails its first
        # statement, SQLAlchemy then discards the whole pool, and the next request connects afresh; recycling
        # connections after 30 minutes keeps them clear of servers' and firewalls' idle timeouts.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "VERIFICATION_SAMPLE_RATE": sample_rate,
        "PRIOR_VIOLATION_DAYS": int(os.environ.get("PRIOR_VIOLATION_DAYS") or 365),
        "REDIS_URL": redis_url,
        "AUDIT_KEY": os.environ.get("AUDIT_KEY") or None,
        "AUDIT_CHAIN_SECONDS": _float("AUDIT_CHAIN_SECONDS", 0.5),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") in {"1", "true", "True"},
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "greenlane@cbp.example",
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(Path(instance_path) / "uploads"),
        "STORAGE_URL": os.environ.get("STORAGE_URL") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or "text",
        "SCREEN_QUEUE": os.environ.get("SCREEN_QUEUE") or None,
        "SCREEN_PARTITIONS": int(os.environ.get("SCREEN_PARTITIONS") or 0) or None,
        "SCREEN_MAX_PARTITIONS": int(os.environ.get("SCREEN_MAX_PARTITIONS") or 4),
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES") or 10 * ONE_MIB),
        "MAX_CONTENT_LENGTH": 64 * ONE_MIB,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "API_TITLE": "Greenlane API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "LOGIN_FAILURE_LIMIT_ADDRESS": os.environ.get("LOGIN_FAILURE_LIMIT_ADDRESS") or "30 per 15 minutes",
        "API_TOKEN_CACHE_SECONDS": _float("API_TOKEN_CACHE_SECONDS", 5.0),
        "PAGE_SIZE_DEFAULT": 50,
        "PAGE_SIZE_MAX": 500,
    }
