"""Web pages for signing in and out, registering, settings (tokens, password) and user administration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, or_, select

from core import navigation, policy
from core.accounts import services, sessions, throttle
from core.accounts.forms import (
    EditUserForm,
    EmptyForm,
    LoginForm,
    NewUserForm,
    OrganizationForm,
    PasswordForm,
    RegisterForm,
    TokenForm,
)
from core.accounts.models import Organization, User
from core.accounts.roles import ORG_KIND_LABELS, OrgKind
from core.accounts.throttle import throttled
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.forms import apply_errors
from core.pagination import page_args_from_request, paginate

bp = Blueprint("accounts", __name__)

navigation.register("Users", "accounts.admin_users", "users.manage", order=90,
                    current_for=("accounts.admin_users", "accounts.admin_new_user", "accounts.admin_edit_user"))
navigation.register("Organisations", "accounts.admin_organizations", "organizations.manage", order=91,
                    current_for=("accounts.admin_organization",))


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@policy.public
@throttled
def login():
    """Sign in with e-mail and password; the session is renewed on success."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        throttle.check_allowed(form.email.data)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(form.email.data, "web")
            db.session.commit()
            form.password.errors.append("The e-mail address or password is not right.")
            status = 401
        else:
            next_url = _safe_next(request.args.get("next"))
            sessions.begin(user)  # renews the session: nothing from before sign-in survives
            services.note_login(user)
            throttle.record_success(user, "web")
            db.session.commit()
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(next_url or url_for("dashboards.home"))
    return render_template("core/accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@policy.require(policy.AUTHENTICATED)
def logout():
    """Sign out (POST with CSRF so no other site can sign a user out)."""
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end()
        db.session.commit()
        flash("You have signed out.", "info")
    return redirect(url_for("dashboards.landing"))


@bp.route("/register", methods=["GET", "POST"])
@policy.public
def register():
    """Self-registration for importer, rights-holder and industry-group organisations."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.home"))
    form = RegisterForm(kind=request.args.get("kind"))
    if form.validate_on_submit():
        try:
            services.register_organization(
                email=form.email.data, password=form.password.data, full_name=form.full_name.data,
                org_name=form.org_name.data, kind=form.kind.data,
                confirm_url=lambda token: url_for("accounts.confirm", token=token, _external=True))
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            # The same answer whether or not the address or the organisation already exists (no enumeration).
            db.session.commit()
            return redirect(url_for("accounts.register_sent"))
    return render_template("core/accounts/register.html", form=form)


@bp.route("/register/sent")
@policy.public
def register_sent():
    """After registering: check your e-mail (whatever happened, so nobody learns which accounts exist)."""
    return render_template("core/accounts/register_sent.html")


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@policy.public
def confirm(token: str):
    """The link e-mailed at registration: a button (POST, CSRF) activates the account and signs it in."""
    form = EmptyForm()
    if form.validate_on_submit():
        user = services.confirm_registration(token)
        sessions.begin(user)
        services.note_login(user)
        db.session.commit()
        flash(f"Welcome to Greenlane. {user.organization.name} is registered.", "success")
        return redirect(url_for("dashboards.home"))
    return render_template("core/accounts/register_confirm.html", form=form)


@bp.route("/settings", methods=["GET"])
@policy.require("tokens.own")
def settings():
    """The user's settings: API tokens and password."""
    return render_template("core/accounts/settings.html", tokens=services.tokens_of(current_user),
                           token_form=TokenForm(), password_form=PasswordForm(), action_form=EmptyForm(),
                           new_token=session.pop("new_token", None))


@bp.route("/settings/tokens", methods=["POST"])
@policy.require("tokens.own")
def create_token():
    """Issue a token; it is shown once on the next page and never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("core/accounts/settings.html", tokens=services.tokens_of(current_user),
                               token_form=form, password_form=PasswordForm(), action_form=EmptyForm(),
                               new_token=None), 422
    plain, _token = services.issue_token(current_user, form.name.data)
    db.session.commit()
    session["new_token"] = plain
    flash("Token created. Copy it now: it will not be shown again.", "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@policy.require("tokens.own")
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token_id)
        db.session.commit()
        flash("Token revoked. Programs using it can no longer call the API.", "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/settings/password", methods=["POST"])
@policy.require("tokens.own")
def change_password():
    """Change one's own password after re-entering the current one."""
    form = PasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append("That is not your current password.")
        else:
            try:
                services.set_password(current_user, current_user, form.password.data, keep_current_session=True)
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                db.session.commit()
                # keep this session valid under the new session version
                login_user(current_user._get_current_object())
                flash("Password changed. Your other sessions have been signed out and your API tokens revoked.",
                      "success")
                return redirect(url_for("accounts.settings"))
    return render_template("core/accounts/settings.html", tokens=services.tokens_of(current_user),
                           token_form=TokenForm(), password_form=form, action_form=EmptyForm(),
                           new_token=None), 422


@bp.route("/admin/users")
@policy.require("users.manage")
def admin_users():
    """Admin: every user, searchable by e-mail, name or organisation, filterable by role."""
    page, size = page_args_from_request()
    query = select(User).join(User.organization).order_by(Organization.name, User.email)
    if q := request.args.get("q", "").strip():
        needle = q.lower()  # % and _ in a search are themselves, not wildcards
        query = query.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                                func.lower(User.full_name).contains(needle, autoescape=True),
                                func.lower(Organization.name).contains(needle, autoescape=True)))
    if role := request.args.get("role"):
        query = query.where(User.role == role)
    return render_template("core/accounts/admin_users.html", page=paginate(query, page, size), q=q, role=role,
                           form=NewUserForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@policy.require("users.manage")
def admin_new_user():
    """Admin: create a user (and the organisation when the name is new)."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, email=form.email.data, password=form.password.data,
                                        role=form.role.data, org_name=form.org.data,
                                        full_name=form.full_name.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Created {user.email} ({user.organization.name}).", "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("core/accounts/admin_new_user.html", form=form), 422 if form.errors else 200


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@policy.require("users.manage")
def admin_edit_user(user_id: int):
    """Admin: change a user's name, role or access."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, role=form.role.data, active=form.active.data,
                                 full_name=form.full_name.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("core/accounts/admin_edit_user.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/admin/organizations")
@policy.require("organizations.manage")
def admin_organizations():
    """Admin: every organisation with its user counts, searchable by name, filterable by kind."""
    page, size = page_args_from_request()
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if kind not in {k.value for k in OrgKind}:
        kind = ""
    query = services.organizations_with_user_counts(q=q, kind=kind or None)
    return render_template("core/accounts/admin_organizations.html", page=paginate(query, page, size, scalars=False),
                           q=q, kind=kind, kinds=ORG_KIND_LABELS)


# Sections other layers add to an organisation's admin page, in the order registered: ``panel(organization)``
# gives ``(template, context)`` to include (the template reads ``panel``, the context) or None for no section
# (the program's enrollment section with the re-application bar is one).
OrganizationPanel = Callable[[Organization], "tuple[str, dict[str, Any]] | None"]
ORGANIZATION_PANELS: list[OrganizationPanel] = []


def register_organization_panel(panel: OrganizationPanel) -> None:
    """Add a section to the admin's organisation page (once per function)."""
    if panel not in ORGANIZATION_PANELS:
        ORGANIZATION_PANELS.append(panel)


@bp.route("/admin/organizations/<int:org_id>", methods=["GET", "POST"])
@policy.require("organizations.manage")
def admin_organization(org_id: int):
    """Admin: an organisation, its users, and renaming it."""
    organization = db.session.get(Organization, org_id)
    if organization is None:
        raise NotFound("No such organisation.")
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        try:
            services.rename_organization(current_user, organization, form.name.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {organization.name}.", "success")
            return redirect(url_for("accounts.admin_organization", org_id=organization.id))
    panels = [section for panel in ORGANIZATION_PANELS if (section := panel(organization))]
    return render_template("core/accounts/admin_organization.html", form=form, organization=organization,
                           users=organization.users, panels=panels), 422 if form.errors else 200
