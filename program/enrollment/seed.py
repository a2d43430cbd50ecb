"""Demo enrollments in every state and a few debarred entries, made through the services (so history,
audit entries and notifications are real), on a clock set back to give the queue realistic ages."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from core.accounts import delegations
from core.accounts import services as accounts
from core.accounts.models import User
from core.timeutil import utcnow
from program.enrollment import application, debarred, lifecycle, services
from program.enrollment.models import Enrollment
from program.seed import DEMO_PASSWORD, SEEDERS

REVIEWER = "reviewer@cbp.example.gov"

# Importer organisations beyond program.seed.DEMO_USERS, one per remaining state: (email, org, name).
EXTRA_IMPORTERS: tuple[tuple[str, str, str], ...] = (
    ("importer@maplestreet.example", "Maple Street Resale LLC", "Mia Maple"),
    ("importer@redwood.example", "Redwood Outlet Inc.", "Rob Redwood"),
    ("importer@silverline.example", "Silverline Electronics Ltd", "Sid Silver"),
    ("importer@coldbridge.example", "Coldbridge Traders Inc.", "Cora Cold"),
    ("importer@oldtown.example", "Oldtown Vintage Co.", "Otto Old"),
    ("importer@westpier.example", "Westpier Wholesale Co.", "Wendy West"),
    ("importer@pinecrest.example", "Pinecrest Supply Co.", "Pia Pine"),
)

SOURCING = ("We buy from brand-authorised distributors in the EU and Japan and keep their invoices for five "
            "years; every unit's serial number is checked against the manufacturer's register before shipment. "
            "Refurbished units are graded to the R2v3 standard by our certified facility in Reno, NV.")


def _application(name: str, ior: str, sectors: list[str], *, city: str, email_domain: str, contacts: int = 1,
                 conditions: tuple[str, ...] = ("new_parallel", "used"), consent: bool = False) -> dict[str, Any]:
    people = [{"purpose": "primary", "name": "Compliance desk", "email": f"compliance@{email_domain}"},
              {"purpose": "ipr", "name": "IPR counsel", "email": f"ipr@{email_domain}"},
              {"purpose": "enforcement", "name": "Detention response team", "email": f"detentions@{email_domain}"}]
    return {
        "legal_name": name, "company_type": "llc" if "LLC" in name else "corporation", "ior_number": ior,
        "address": {"street": "100 Harbor Way", "city": city, "state": "CA", "postal_code": "90731",
                    "country": "US"},
        "contacts": people[:contacts], "sectors": sectors, "conditions": list(conditions),
        "sourcing_description": SOURCING, "enforcement_history": "None in the last five years.",
        "publish_consent": consent, "attestation": True,
    }


def _submitted(importer: User, data: dict[str, Any], at: datetime) -> Enrollment:
    enrollment = application.create_enrollment(importer, data, now=at - timedelta(days=3))
    return services.submit_enrollment(importer, enrollment, now=at)


def seed_enrollments(users: dict[str, User]) -> str:
    """Create the demo debarred list and enrollments in every state; returns a summary line."""
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    reviewer = users[REVIEWER]
    for email, org, name in EXTRA_IMPORTERS:
        users[email] = accounts.create_user(None, email=email, password=DEMO_PASSWORD, role="importer",
                                            org_name=org, full_name=name)

    entries = [
        ("Shady Imports Ltd", "55-5555555", "Repeated seizures of counterfeit handbags (2024-2025).", 400, None),
        ("Bluewater Good Co., Ltd.", "77-7777777", "Debarred after false country-of-origin declarations.", 200, None),
        ("Gray Harbor Trading", "220419-00317", "Suspended pending a penalty case (19 U.S.C. 1592).", 30, None),
        ("Counterfeit Kings LLC", None, "Debarment ended after the settlement was paid.", 1200, 300),
    ]
    for name, ior, reason, started, ended in entries:
        party = debarred.add_debarred(reviewer, name=name, ior_number=ior, reason=reason,
                                      start_date=days(started).date())
        if ended:
            debarred.end_debarred(reviewer, party, days(ended).date())

    made: list[Enrollment] = []
    northwind = _submitted(users["importer@northwind.example"], _application(
        "Northwind Trading LLC", "12-3456789AB",
        ["consumer_electronics", "mobile_devices", "handbags_accessories", "apparel_footwear"],
        city="Long Beach", email_domain="northwind.example", contacts=3,
        conditions=("new_parallel", "used", "refurbished"), consent=True), days(190))
    northwind.other_programs = [{"program": "ctpat", "tier": "2", "account_number": "CT-0042317",
                                 "mutual_recognition_country": None, "verified": None}]
    services.approve_enrollment(reviewer, northwind, reason="Authorised sourcing verified; clean record.",
                                now=days(150))
    lifecycle.verify_other_program(reviewer, northwind, 0, verified=True, note="Tier 2 confirmed in the CTPAT portal.",
                                   now=days(149))
    harbor = _submitted(users["importer@harbor.example"], _application(
        "Harbor Refurb Inc.", "98-7654321", ["consumer_electronics", "computers_networking"], city="San Pedro",
        email_domain="harbor.example", contacts=2, conditions=("used", "refurbished", "recycled"), consent=True),
        days(120))
    services.approve_enrollment(reviewer, harbor, reason="R2v3 certification checked on site.", now=days(95))
    made += [northwind, harbor]

    made.append(_submitted(users["importer@bluewater.example"], _application(
        "Bluewater Goods Co.", "45-6789012", ["home_appliances", "sporting_goods"], city="Oakland",
        email_domain="bluewater.example", contacts=2), days(20)))
    eastgate = _submitted(users["importer@eastgate.example"], _application(
        "Eastgate Imports Ltd", "210521-00042", ["watches_jewelry", "cosmetics_fragrance", "pharmaceuticals"],
        city="Newark", email_domain="eastgate.example", contacts=2, conditions=("new_parallel",)), days(100))
    services.request_information(reviewer, eastgate, now=days(60), reason=(
        "Please attach the distribution agreements with your watch suppliers and explain how you keep "
        "pharmaceuticals out of the expedited lane."))
    made.append(eastgate)

    draft_data = _application("Maple Street Resale LLC", "33-1234567", ["toys_games"], city="Portland",
                              email_domain="maplestreet.example")
    for unanswered in ("sourcing_description", "contacts", "attestation"):
        draft_data.pop(unanswered)
    made.append(application.create_enrollment(users["importer@maplestreet.example"], draft_data, now=days(2)))

    redwood = _submitted(users["importer@redwood.example"], _application(
        "Redwood Outlet Inc.", "66-2345678", ["apparel_footwear"], city="Eureka", email_domain="redwood.example"),
        days(80))
    services.deny_enrollment(reviewer, redwood, now=days(40), reason=(
        "Sourcing could not be verified: the suppliers named are not authorised distributors of the brands."))
    silverline = _submitted(users["importer@silverline.example"], _application(
        "Silverline Electronics Ltd", "88-3456789", ["consumer_electronics"], city="San Jose",
        email_domain="silverline.example"), days(300))
    services.approve_enrollment(reviewer, silverline, reason="Meets the program criteria.", now=days(280))
    lifecycle.propose_action(reviewer, silverline, action="suspend", now=days(40), reason=(
        "Two shipments held with altered serial numbers; CBP proposes to suspend the enrollment."))
    lifecycle.reply_to_notice(users["importer@silverline.example"], silverline, now=days(25), text=(
        "The units were relabelled by a repair shop we no longer use; invoices attached in messages."))
    services.suspend_enrollment(reviewer, silverline, now=days(10), reason=(
        "Two shipments held with altered serial numbers; suspended while the cases are open."))
    lifecycle.file_appeal(users["importer@silverline.example"], silverline, now=days(6), grounds=(
        "Both cases closed without seizure; we ask CBP to lift the suspension."))
    coldbridge = _submitted(users["importer@coldbridge.example"], _application(
        "Coldbridge Traders Inc.", "44-4567890", ["watches_jewelry"], city="Seattle",
        email_domain="coldbridge.example"), days(500))
    services.approve_enrollment(reviewer, coldbridge, reason="Meets the program criteria.", now=days(470))
    services.revoke_enrollment(reviewer, coldbridge, now=days(30), reason=(
        "Counterfeit watches seized under its IOR number; revoked for non-compliance."))
    oldtown = _submitted(users["importer@oldtown.example"], _application(
        "Oldtown Vintage Co.", "22-5678901", ["apparel_footwear", "handbags_accessories"], city="Sacramento",
        email_domain="oldtown.example", conditions=("used",)), days(420))
    services.approve_enrollment(reviewer, oldtown, reason="Used-goods grading procedures verified.",
                                now=days(400))
    services.expire_enrollments(now=now)
    westpier = application.create_enrollment(users["importer@westpier.example"], _application(
        "Westpier Wholesale Co.", "11-6789012", ["toys_games"], city="San Diego", email_domain="westpier.example"),
        now=days(15))
    services.withdraw_enrollment(users["importer@westpier.example"], westpier, now=days(12),
                                 reason="We stopped importing parallel goods.")
    # Pinecrest renewed 40 days before its approval ended: the old enrollment handed over, never a gap.
    pine = users["importer@pinecrest.example"]
    first = _submitted(pine, _application(
        "Pinecrest Supply Co.", "27-1357924", ["home_appliances"], city="Fresno", email_domain="pinecrest.example",
        consent=True), days(345))
    services.approve_enrollment(reviewer, first, reason="Meets the program criteria.", now=days(330))
    renewal = application.renew_enrollment(pine, now=days(20))
    application.update_application(pine, renewal, {"attestation": True, "publish_consent": True}, now=days(20))
    services.submit_enrollment(pine, renewal, now=days(19))
    services.approve_enrollment(users["reviewer2@cbp.example.gov"], renewal, reason="Renewal: profile unchanged.",
                                now=days(5))
    made += [redwood, silverline, coldbridge, oldtown, westpier, first, renewal]
    # Northwind files through its customs broker: decisions, blank declarations and reading its enrollment.
    broker = users.get("broker@harborline.example")
    if broker is not None:
        delegations.grant_delegation(users["importer@northwind.example"], broker_organization_id=broker.organization_id,
                                     scopes=["decisions", "blank_declarations", "enrollment_read"], now=days(60))

    states = Counter(e.status for e in made)
    logins = ", ".join(email for email, _org, _name in EXTRA_IMPORTERS)
    return (f"{len(made)} enrollments ({', '.join(f'{n} {s}' for s, n in sorted(states.items()))}); "
            f"{len(entries)} debarred entries; more importer logins: {logins}")


SEEDERS.append(("enrollment", seed_enrollments))
