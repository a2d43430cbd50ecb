"""Demo announcements: one to every participant, one to mobile-device participants."""

from __future__ import annotations

from core.accounts.models import User
from program.announcements import services
from program.seed import SEEDERS


def seed_announcements(users: dict[str, User]) -> str:
    """Publish the demo notices (their e-mails go to the outbox)."""
    reviewer = users["reviewer@cbp.example.gov"]
    services.publish_announcement(reviewer, title="Report IP theft is open",
                                  body="Anyone can now report suspected counterfeits at /report, with or without an "
                                       "account. Rights holders: include the recordation number of your mark.")
    services.publish_announcement(reviewer, title="IMEI block-list checks for refurbished phones",
                                  body="From 1 January, expedited release of refurbished phones needs an IMEI "
                                       "block-list report dated within 30 days of import.", sector="mobile_devices")
    return "2 announcements (one to every participant, one to mobile-device participants)"


SEEDERS.append(("announcements", seed_announcements))
