"""Demo allegations: a new anonymous report, a triaged one, and one referred to a demo importer."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import Organization, User
from core.extensions import db
from program.allegations import services
from program.seed import SEEDERS

REPORTS = (
    ({"summary": "Fake Lumen earbuds sold as new on Example Market",
      "details": "The box has a misspelt logo and no FCC ID; the seller ships from a bonded warehouse in Los Angeles.",
      "suspect": {"name": "SoundDeals 88", "marketplace": "Example Market", "website": "https://market.example/s/88"},
      "ports": ["2704"]}, None),
    ({"summary": "Acme handbags with counterfeit serial tags at a trade show",
      "details": "Booth 14 at the Las Vegas gift fair offered Acme bags whose serial tags repeat the same number.",
      "suspect": {"name": "Eastgate Imports", "country": "US"},
      "reporter": {"name": "Rita Rights", "email": "rights@acme-brands.example"}},
     ("triaged", "Rights holder's report; check Eastgate's entries of handbags.", {})),
    ({"summary": "Refurbished phones re-labelled as new",
      "details": "Bluewater sells phones as 'new, sealed' whose IMEIs belong to units reported returned in 2025.",
      "suspect": {"name": "Bluewater Goods Co.", "country": "US"}, "ports": ["2809", "2704"]},
     ("referred", "IMEIs check out as returned units; refer to the Oakland port and note on the enrollment.",
      {"ior_number": "45-6789012", "organization": "Bluewater Goods Co."})),
)


def seed_allegations(users: dict[str, User]) -> str:
    """File the demo reports and walk two of them through triage."""
    reviewer = users["reviewer@cbp.example.gov"]
    for data, step in REPORTS:
        allegation = services.receive_allegation(data, channel="web")
        if step is None:
            continue
        status, note, links = step
        organization = db.session.scalar(select(Organization).where(Organization.name == links.get("organization")))
        if status == "referred":
            services.triage_allegation(reviewer, allegation, status="triaged", note="Credible; checking entries.")
        services.triage_allegation(reviewer, allegation, status=status, note=note, ior_number=links.get("ior_number"),
                                   organization_id=organization.id if organization else None)
    return f"{len(REPORTS)} allegations (Report IP theft), one referred"


SEEDERS.append(("allegations", seed_allegations))
