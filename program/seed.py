"""``flask --app app seed demo``: demo organisations and users for every role (and, as domains land,
their data). Safe to run twice: a seeded database is left as it is."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core.accounts import services as accounts
from core.accounts.models import User
from core.extensions import db

seed_cli = AppGroup("seed", help="Demo data.")

# The published demo password (README), not a secret (ruff S105, bandit B105).
DEMO_PASSWORD = "greenlane-demo-2026"  # noqa: S105  # nosec B105

# (email, role, organisation, full name)
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin@cbp.example.gov", "admin", "U.S. Customs and Border Protection", "Alex Admin"),
    ("reviewer@cbp.example.gov", "reviewer", "U.S. Customs and Border Protection", "Riley Reviewer"),
    ("reviewer2@cbp.example.gov", "reviewer", "U.S. Customs and Border Protection", "Sam Officer"),
    ("importer@northwind.example", "importer", "Northwind Trading LLC", "Nadia North"),
    ("broker@northwind.example", "importer", "Northwind Trading LLC", "Ben Broker"),
    ("importer@harbor.example", "importer", "Harbor Refurb Inc.", "Hana Harbor"),
    ("importer@bluewater.example", "importer", "Bluewater Goods Co.", "Blake Water"),
    ("importer@eastgate.example", "importer", "Eastgate Imports Ltd", "Eve Gate"),
    ("rights@acme-brands.example", "rights_holder", "Acme Brands Corporation", "Rita Rights"),
    ("rights@lumen.example", "rights_holder", "Lumen Electronics Inc.", "Leo Lumen"),
    ("group@electronics-alliance.example", "industry_group", "Electronics Resale Alliance", "Gina Group"),
    ("group@fashion-council.example", "industry_group", "Fashion Resale Council", "Frank Council"),
    ("broker@harborline.example", "broker", "Harborline Customs Brokerage", "Hal Harborline"),
)

# Domain seeders, run after the users exist: (label, function(users_by_email) -> summary line).
SEEDERS: list[tuple[str, Callable[[dict[str, User]], str]]] = []
# Dependency order (marks before declarations, decisions before cases); unknown labels run last.
SEED_ORDER = ("standards", "enrollment", "blanks", "decisions", "cases", "messages")


def seed_users() -> dict[str, User]:
    """Create the demo users (and organisations); returns them by e-mail."""
    users = {}
    admins: set[int] = set()
    for email, role, org, name in DEMO_USERS:
        users[email] = accounts.create_user(None, email=email, password=DEMO_PASSWORD, role=role,
                                            org_name=org, full_name=name)
        if role not in ("reviewer", "admin") and users[email].organization_id not in admins:
            users[email].org_admin = True  # the first user of each party organisation administers it
            admins.add(users[email].organization_id)
    return users


def seed_demo() -> list[str]:
    """Fill an empty database with demo data; returns summary lines."""
    users = seed_users()
    db.session.flush()
    summary = [f"{len(users)} users in {len({u.organization_id for u in users.values()})} organisations"]
    ordered = sorted(SEEDERS, key=lambda item: SEED_ORDER.index(item[0]) if item[0] in SEED_ORDER else len(SEED_ORDER))
    for _label, seeder in ordered:
        summary.append(seeder(users))
        db.session.flush()
    return summary


@seed_cli.command("demo")
def demo_command() -> None:
    """Fill an empty database with demo data for every role and print the logins."""
    if db.session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])):
        click.echo("Demo data is already there; nothing changed.")
    else:
        for line in seed_demo():
            click.echo(f"seeded: {line}")
        db.session.commit()
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role, org, _name in DEMO_USERS:
        click.echo(f"  {role:<15} {email:<38} {org}")
