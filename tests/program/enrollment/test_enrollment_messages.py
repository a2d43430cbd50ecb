"""Enrollment ↔ messages wiring: threads about an enrollment, and focused contacts as recipients."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage


def test_importer_can_discuss_its_enrollment_but_not_anothers(enroll, importer_api, api_as):
    enrollment = enroll("submitted")
    created = importer_api.post("/api/v1/threads", json={"subject": "About our application", "body": "Hello",
                                                          "related_type": "enrollment",
                                                          "related_id": str(enrollment["id"])})
    assert created.status_code == 201, created.json
    other = api_as("importer")
    refused = other.post("/api/v1/threads", json={"subject": "Snooping", "body": "x", "related_type": "enrollment",
                                                  "related_id": str(enrollment["id"])})
    assert refused.status_code == 422
    assert "related_id" in refused.json["errors"]["json"]


def test_reviewer_message_goes_to_the_focused_primary_contact(app, enroll, importer_api, reviewer_api):
    enrollment = enroll("submitted")
    org_id = importer_api.user.organization_id
    response = reviewer_api.post("/api/v1/threads", json={"subject": "Question", "body": "Please explain",
                                                          "organization_id": org_id, "related_type": "enrollment",
                                                          "related_id": str(enrollment["id"])})
    assert response.status_code == 201, response.json
    primary = [c["email"] for c in enrollment["contacts"] if c["purpose"] == "primary"]
    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.topic.like("thread%"))))
    assert recipients == {e.lower() for e in primary}


def test_threads_show_on_the_reviewers_decision_page(client, login, enroll, importer_api, reviewer_api, make_user):
    enrollment = enroll("submitted")
    importer_api.post("/api/v1/threads", json={"subject": "Documents follow", "body": "Tomorrow",
                                               "related_type": "enrollment", "related_id": str(enrollment["id"])})
    login(make_user("reviewer"))
    page = client.get(f"/review/enrollments/{enrollment['id']}").text
    assert "Documents follow" in page
