"""Who may do what: one registry of permissions and one decorator used by every web and API route.

Domains register their permissions at import time (``register("enrollment.decide", Role.REVIEWER)``);
views and API methods are wrapped with ``@require("enrollment.decide")``. Object-level questions
(is this the owner's enrollment?) are answered by the domain's guard functions, which raise
``NotFound``/``NotAllowed`` from ``core.errors``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from core.accounts.roles import Role
from core.errors import NotAllowed

PERMISSIONS: dict[str, frozenset[str]] = {}
AUTHENTICATED = "authenticated"


def register(permission: str, *roles: Role | str) -> None:
    """Declare which roles hold ``permission`` (called once per permission at import)."""
    PERMISSIONS[permission] = frozenset(str(r) for r in roles)


def roles_for(permission: str) -> frozenset[str]:
    """The roles holding ``permission``; unknown permissions hold none (deny by default)."""
    if permission == AUTHENTICATED:
        return frozenset(str(r) for r in Role)
    return PERMISSIONS.get(permission, frozenset())


def is_api_request() -> bool:
    """API routes authenticate with bearer tokens only, never with the session cookie."""
    return request.path.startswith("/api/")


def current_principal() -> Any | None:
    """The authenticated user of this request: token user on the API, session user on the web."""
    if is_api_request():
        return g.get("api_user")
    return current_user if current_user.is_authenticated else None


def can(user: Any, permission: str) -> bool:
    """True when ``user`` is active and its role holds ``permission``."""
    return bool(user) and bool(getattr(user, "active", False)) and user.role in roles_for(permission)


def ensure(permission: str) -> Any:
    """Return the current principal if it holds ``permission``; else 401 (anonymous) or 403."""
    user = current_principal()
    if user is None:
        if is_api_request():
            abort(401, description="A valid bearer token is required.")
        abort(_login_redirect())
    if not can(user, permission):
        raise NotAllowed("Your role does not allow this.")
    return user


def _login_redirect():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def require(permission: str) -> Callable:
    """Decorator: the wrapped route runs only for principals holding ``permission``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ensure(permission)
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # read by the route-coverage test
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a route as deliberately open to anyone (read by the route-coverage test)."""
    view.required_permission = "public"
    return view


def holders(permission: str) -> Iterable[str]:
    """Sorted role names holding ``permission`` (for docs and tests)."""
    return sorted(roles_for(permission))


# Platform permissions; domains add their own in their modules.
register("users.manage", Role.ADMIN)
register("organizations.manage", Role.ADMIN)
register("audit.read", Role.REVIEWER, Role.ADMIN)
register("tokens.own", *Role)
