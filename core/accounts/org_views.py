"""The organisation page of a party organisation: colleagues, and for its administrator invitations (a one-time
e-mailed link), deactivation and handing the role on; the public page that accepts an invitation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core import navigation, policy
from core.accounts import org_admin, sessions
from core.accounts.forms import AcceptInvitationForm, EmptyForm, InviteForm
from core.accounts.roles import Role
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.extensions import db
from core.forms import apply_errors

bp = Blueprint("organization", __name__)

OWN = "organization.own"  # see the own organisation's users; its administrator manages them
policy.register(OWN, Role.IMPORTER, Role.RIGHTS_HOLDER, Role.INDUSTRY_GROUP, Role.BROKER)
navigation.register("Organisation", "organization.show", OWN, order=92)


@bp.route("/organisation")
@policy.require(OWN)
def show() -> ResponseReturnValue:
    """Colleagues and, for the administrator, pending invitations and the forms to manage them."""
    return render_template("core/accounts/organization.html", users=org_admin.colleagues(current_user),
                           invitations=org_admin.pending_invitations(current_user), invite_form=InviteForm(),
                           action_form=EmptyForm())


def _done(call, message: str) -> ResponseReturnValue:
    try:
        call()
    except (ValidationFailed, Conflict, NotAllowed) as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", None) or {}
        flash(" ".join(m[0] for m in fields.values()) or exc.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("organization.show"))


@bp.route("/organisation/invite", methods=["POST"])
@policy.require(OWN)
def invite() -> ResponseReturnValue:
    """E-mail a colleague a one-time link to join (administrator)."""
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Enter a valid e-mail address.", "error")
        return redirect(url_for("organization.show"))
    return _done(lambda: org_admin.invite_colleague(
        current_user, form.email.data, link_for=lambda token: url_for("organization.accept", token=token,
                                                                      _external=True)),
        f"Invitation sent to {form.email.data}.")


@bp.route("/organisation/users/<int:user_id>/deactivate", methods=["POST"])
@policy.require(OWN)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate a colleague (administrator)."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("organization.show"))
    return _done(lambda: org_admin.deactivate_colleague(current_user, user_id), "The colleague is deactivated.")


@bp.route("/organisation/users/<int:user_id>/hand-on", methods=["POST"])
@policy.require(OWN)
def hand_on(user_id: int) -> ResponseReturnValue:
    """Make a colleague the administrator instead (administrator)."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("organization.show"))
    return _done(lambda: org_admin.hand_on_admin(current_user, user_id), "The administrator role is handed on.")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@policy.public
def accept(token: str) -> ResponseReturnValue:
    """Join an organisation with a one-time invitation link: choose a name and a password."""
    invitation = org_admin.invitation_for(token)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = org_admin.accept_invitation(token, full_name=form.full_name.data, password=form.password.data)
            sessions.begin(user)  # a server-side session, as at sign-in (renews the cookie session)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Welcome to Greenlane. You have joined {user.organization.name}.", "success")
            return redirect(url_for("dashboards.home"))
    return render_template("core/accounts/accept_invitation.html", form=form, invitation=invitation)
