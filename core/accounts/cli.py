"""``flask --app app users …``: create users from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.accounts import services
from core.accounts.roles import Role
from core.errors import ValidationFailed
from core.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--password", required=True, help=f"At least {services.MIN_PASSWORD_LENGTH} characters.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--org", "org_name", required=True, help="Organisation name (created if new).")
@click.option("--name", "full_name", default="", help="Full name.")
def create_user_command(email: str, password: str, role: str, org_name: str, full_name: str) -> None:
    """Create a user (and the organisation if new); prints the new user's id."""
    try:
        user = services.create_user(None, email=email, password=password, role=role, org_name=org_name,
                                    full_name=full_name)
    except ValidationFailed as exc:
        db.session.rollback()
        for field, messages in exc.fields.items():
            for message in messages:
                click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(2) from exc
    db.session.commit()
    click.echo(user.id)
