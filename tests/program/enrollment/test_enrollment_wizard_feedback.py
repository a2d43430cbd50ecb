"""The wizard says what is wrong at the step where it can be fixed, and goes back to the review page after a
fix the review page asked for."""

from __future__ import annotations

from tests.program.enrollment.test_enrollment_views import CONTACTS, IDENTITY, SECTORS, _start, importer  # noqa: F401


def test_a_us_address_without_a_state_is_refused_at_the_identity_step(client, importer):  # noqa: F811
    eid = _start(client)
    refused = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "state": "", "continue": "1"})
    assert refused.status_code == 422 and 'id="state-error"' in refused.text and "Enter the state." in refused.text
    abroad = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "state": "", "country": "DE",
                                                              "postal_code": "20095", "continue": "1"})
    assert abroad.status_code == 302 and abroad.headers["Location"].endswith(f"/enrollment/{eid}/contacts")


def test_fixing_what_the_review_page_pointed_at_returns_to_review(client, importer):  # noqa: F811
    eid = _start(client)
    client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "ior_number": "", "save_draft": "1"})
    client.post(f"/enrollment/{eid}/contacts", data={**CONTACTS, "continue": "1"})
    client.post(f"/enrollment/{eid}/sectors", data={**SECTORS, "continue": "1"})
    review = client.get(f"/enrollment/{eid}/review").text
    assert f'href="/enrollment/{eid}/identity?from=review">Enter the Importer of Record number.' in review
    step = client.get(f"/enrollment/{eid}/identity?from=review").text
    assert "Save and return to review" in step
    fixed = client.post(f"/enrollment/{eid}/identity?from=review", data={**IDENTITY, "continue": "1"})
    assert fixed.status_code == 302 and fixed.headers["Location"].endswith(f"/enrollment/{eid}/review")
    # Without the review page's pointer the wizard goes on as before.
    onward = client.post(f"/enrollment/{eid}/identity", data={**IDENTITY, "continue": "1"})
    assert onward.headers["Location"].endswith(f"/enrollment/{eid}/contacts")


def test_approval_email_names_the_sectors(app, reviewer_api, enroll):
    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage

    enrollment = enroll("submitted")
    response = reviewer_api.post(f"/api/v1/enrollments/{enrollment['id']}/decision",
                                 json={"action": "approve", "reason": "ok", "sectors": ["consumer_electronics"]})
    assert response.status_code == 200
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.topic == "enrollment.approve"))
    assert "Approved sectors: Consumer electronics" in body and "consumer_electronics" not in body
