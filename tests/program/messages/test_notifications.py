"""E-mails: CBP → the party's focused contacts (or its active users); party → the CBP staff in the thread
(or every active reviewer). Subject and link only, never the message text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import User
from core.extensions import db
from core.notifications import OutboxMessage


@pytest.fixture
def outbox(app):
    """Read the queued e-mails: ``outbox()`` → {recipient: [OutboxMessage dicts]}; ``outbox.clear()``."""

    class Outbox:
        def __call__(self):
            with app.app_context():
                rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
                found: dict[str, list[dict]] = {}
                for row in rows:
                    found.setdefault(row.recipient, []).append({"subject": row.subject, "body": row.body,
                                                                "topic": row.topic})
                return found

        def clear(self):
            with app.app_context():
                db.session.execute(OutboxMessage.__table__.delete())
                db.session.commit()

    return Outbox()


def test_reviewer_message_goes_to_the_primary_contact(parties, reviewer, start, fake_contacts, outbox):
    start(reviewer, organization_id=parties["importer"].organization_id, subject="About your sourcing",
          body="Top secret details")
    mail = outbox()
    assert set(mail) == {"primary@party.example"}
    sent = mail["primary@party.example"][0]
    assert "About your sourcing" in sent["subject"]
    assert "Top secret" not in sent["body"] and "Top secret" not in sent["subject"]
    assert "/messages/" in sent["body"]
    assert sent["topic"] == "thread.create"
    assert fake_contacts["asked"] == [(parties["importer"].organization_id, "primary")]


def test_case_threads_go_to_enforcement_contacts_first(parties, reviewer, start, fake_contacts, fake_related, outbox):
    start(reviewer, organization_id=parties["importer"].organization_id, related_type="case", related_id="UEI7")
    assert set(outbox()) == {"enforce@party.example", "legal@party.example"}


def test_case_threads_fall_back_to_ipr_then_primary(parties, reviewer, start, fake_contacts, fake_related, outbox):
    fake_contacts["book"]["enforcement"] = []
    start(reviewer, organization_id=parties["importer"].organization_id, related_type="case", related_id="UEI7")
    assert set(outbox()) == {"ipr@party.example"}
    outbox.clear()
    fake_contacts["book"]["ipr"] = []
    start(reviewer, organization_id=parties["importer"].organization_id, related_type="case", related_id="UEI7")
    assert set(outbox()) == {"primary@party.example"}


def test_without_a_resolver_answer_the_party_users_are_told(app, parties, reviewer, start, outbox):
    with app.app_context():
        colleague = db.session.get(User, parties["colleague"].id)
        colleague.active = False
        db.session.commit()
    start(reviewer, organization_id=parties["importer"].organization_id)
    assert set(outbox()) == {parties["importer"].email}


def test_resolver_answering_nothing_for_an_organisation_falls_back_to_users(parties, reviewer, start, fake_contacts,
                                                                           outbox):
    start(reviewer, organization_id=parties["rights_holder"].organization_id)
    assert set(outbox()) == {parties["rights_holder"].email}


def test_party_message_goes_to_all_active_reviewers_when_none_has_written(make_user, parties, start, outbox):
    first, second = make_user("reviewer"), make_user("reviewer")
    make_user("admin")
    start(parties["importer"], subject="Question", body="Secret question")
    mail = outbox()
    assert set(mail) == {first.email, second.email}
    assert all("Secret" not in m["body"] for items in mail.values() for m in items)


def test_party_reply_goes_to_the_cbp_staff_in_the_thread(api_as, make_user, parties, start, outbox):
    writer, _bystander = make_user("reviewer"), make_user("reviewer")
    admin = make_user("admin")
    thread = start(writer, organization_id=parties["importer"].organization_id)
    api_as(admin).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "admin note"})
    outbox.clear()
    api_as(parties["colleague"]).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "reply"})
    mail = outbox()
    assert set(mail) == {writer.email, admin.email}
    assert mail[writer.email][0]["topic"] == "thread.reply"


def test_nobody_on_the_writer_side_is_notified(api_as, parties, reviewer, start, outbox):
    thread = start(parties["importer"])
    outbox.clear()
    api_as(reviewer).post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "answer"})
    assert reviewer.email not in outbox()
    assert parties["colleague"].email in outbox()
