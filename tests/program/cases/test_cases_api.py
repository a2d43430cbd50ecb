"""API.md "Enforcement cases": detain, events, outcomes, errors."""

from __future__ import annotations

from datetime import timedelta

from core.timeutil import today
from program.cases.deadlines import response_due
from program.decisions.uei import check_character, new_uei


def _bad_check(uei: str) -> str:
    """The UEI with a wrong check character."""
    good = uei[-1]
    wrong = "0" if good != "0" else "1"
    return uei[:-1] + wrong


def test_detain_creates_case_keyed_by_uei(reviewer_api, make_decision):
    decision_id, uei = make_decision()
    notice = today() - timedelta(days=1)
    response = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain",
                                                        "notice_date": notice.isoformat()})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["uei"] == uei and len(body["uei"]) == 15
    assert body["status"] == "detained"
    assert body["notice_date"] == notice.isoformat()
    assert body["response_due"] == response_due(notice).isoformat()
    assert [e["type"] for e in body["events"]] == ["detained"]
    assert set(body["allowed_events"]) >= {"images_shared_importer", "seized", "abandoned"}


def test_second_case_for_same_decision_is_409(reviewer_api, make_decision):
    decision_id, _ = make_decision()
    body = {"decision_id": decision_id, "action": "detain", "notice_date": today().isoformat()}
    assert reviewer_api.post("/api/v1/cases", json=body).status_code == 201
    second = reviewer_api.post("/api/v1/cases", json=body)
    assert second.status_code == 409
    assert second.json["code"] == "case_exists"


def test_future_notice_date_is_422(reviewer_api, make_decision):
    decision_id, _ = make_decision()
    response = reviewer_api.post("/api/v1/cases", json={
        "decision_id": decision_id, "action": "detain", "notice_date": (today() + timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert "notice_date" in response.json["errors"]["json"]


def test_bad_create_bodies_name_fields(reviewer_api, make_decision):
    decision_id, _ = make_decision()
    cases = [({"decision_id": decision_id, "action": "seize", "notice_date": today().isoformat()}, "action"),
             ({"decision_id": 999999, "action": "detain", "notice_date": today().isoformat()}, "decision_id"),
             ({"decision_id": decision_id, "action": "detain", "notice_date": "yesterday"}, "notice_date"),
             ({"decision_id": decision_id, "action": "detain", "notice_date": today().isoformat(),
               "country_of_origin": "QQ"}, "country_of_origin")]
    for body, field in cases:
        response = reviewer_api.post("/api/v1/cases", json=body)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"]["json"], response.json


def test_event_before_notice_is_422_and_default_date_today(reviewer_api, open_case):
    case = open_case(notice_date=today() - timedelta(days=2))
    early = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={
        "type": "images_shared_importer", "date": (today() - timedelta(days=3)).isoformat()})
    assert early.status_code == 422
    assert "date" in early.json["errors"]["json"]
    ok = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "images_shared_importer"})
    assert ok.status_code == 201
    assert ok.json["event"]["date"] == today().isoformat()
    assert ok.json["images_shared_importer_on"] == today().isoformat()


def test_unknown_event_type_is_422(reviewer_api, open_case):
    case = open_case()
    response = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "detained"})
    assert response.status_code == 422
    assert "type" in response.json["errors"]["json"]


def test_outcome_closes_case_and_second_outcome_is_409(reviewer_api, open_case):
    case = open_case()
    first = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "abandoned", "note": "Importer abandoned."})
    assert first.status_code == 201
    assert first.json["status"] == "abandoned"
    assert first.json["open"] is False
    assert first.json["outcome_date"] == today().isoformat()
    for outcome in ("seized", "abandoned", "released"):
        again = reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": outcome})
        assert again.status_code == 409
    assert reviewer_api.get(f"/api/v1/cases/{case['uei']}").json["status"] == "abandoned"


def test_malformed_uei_is_422_naming_uei_and_unknown_is_404(reviewer_api, open_case):
    case = open_case()
    bad = _bad_check(case["uei"])
    for method, path, kwargs in (("get", f"/api/v1/cases/{bad}", {}),
                                 ("post", f"/api/v1/cases/{bad}/events", {"json": {"type": "seized"}}),
                                 ("get", "/api/v1/cases/TOO-SHORT", {})):
        response = getattr(reviewer_api, method)(path, **kwargs)
        assert response.status_code == 422, path
        assert "uei" in response.json["errors"]["json"]
    unknown = new_uei()
    assert reviewer_api.get(f"/api/v1/cases/{unknown}").status_code == 404
    # Forgiving spelling of the right UEI: lower case and dashes.
    spelled = "-".join(case["uei"][i:i + 5] for i in (0, 5, 10)).lower()
    assert reviewer_api.get(f"/api/v1/cases/{spelled}").json["uei"] == case["uei"]
    assert check_character(case["uei"][:-1]) == case["uei"][-1]


def test_late_importer_response_is_accepted_and_marked(api_as, world, open_case):
    notice = today() - timedelta(days=30)
    case = open_case(notice_date=notice)
    importer = api_as(world.importer)
    response = importer.post(f"/api/v1/cases/{case['uei']}/events",
                             json={"type": "importer_response", "note": "Invoices attached."})
    assert response.status_code == 201
    assert response.json["event"]["late"] is True
    assert response.json["responded_on"] == today().isoformat()
    on_time = importer.post(f"/api/v1/cases/{case['uei']}/events",
                            json={"type": "importer_response", "date": response_due(notice).isoformat()})
    assert on_time.json["event"]["late"] is False


def test_list_filters_and_paginates(reviewer_api, open_case):
    first = open_case()
    second = open_case()
    reviewer_api.post(f"/api/v1/cases/{second['uei']}/events", json={"type": "seized"})
    everything = reviewer_api.get("/api/v1/cases").json
    assert everything["total"] == 2 and {c["uei"] for c in everything["items"]} == {first["uei"], second["uei"]}
    assert [c["uei"] for c in reviewer_api.get("/api/v1/cases?status=seized").json["items"]] == [second["uei"]]
    assert [c["uei"] for c in reviewer_api.get("/api/v1/cases?status=open").json["items"]] == [first["uei"]]
    assert reviewer_api.get("/api/v1/cases?page_size=1").json["pages"] == 2
    assert reviewer_api.get("/api/v1/cases?status=bogus").status_code == 422


def test_every_change_is_audited(reviewer_api, open_case):
    case = open_case()
    reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "exported"})
    entries = reviewer_api.get(f"/api/v1/audit?entity_type=case&entity_id={case['uei']}").json
    items = entries["items"] if isinstance(entries, dict) else entries
    assert {e["action"] for e in items} >= {"case.detain", "case.exported"}


def test_notifications_go_to_focused_contacts(app, reviewer_api, world, open_case):
    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage
    from program.enrollment.models import Enrollment, EnrollmentContact

    with app.app_context():
        enrollment = Enrollment(organization_id=world.importer.organization_id, legal_name="Entry Imports LLC")
        enrollment.contacts = [EnrollmentContact(position=0, purpose="primary", name="P", email="primary@entry.example"),
                               EnrollmentContact(position=1, purpose="enforcement", name="E", email="enf@entry.example"),
                               EnrollmentContact(position=2, purpose="ipr", name="I", email="ipr@entry.example")]
        db.session.add(enrollment)
        db.session.commit()
    case = open_case()
    reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "images_shared_importer"})
    reviewer_api.post(f"/api/v1/cases/{case['uei']}/events", json={"type": "destroyed"})
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.topic, OutboxMessage.recipient)).all()
    by_topic = {}
    for topic, recipient in rows:
        by_topic.setdefault(topic, set()).add(recipient)
    for topic in ("case.detain", "case.images_shared_importer", "case.destroyed"):
        assert by_topic[topic] == {"enf@entry.example"}, topic  # the routing table: enforcement, then ipr


def test_detention_mail_follows_the_routing_table(app, reviewer_api, world, open_case, put_on_tier):
    """The detention e-mail reaches the enforcement contact only; without one the IPR contact only; a mark owner
    (on a tier that e-mails detention notices) with an IPR contact gets it there, never the importer's contacts."""
    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage
    from program.enrollment.models import Enrollment, EnrollmentContact

    def contacts(*purposes):
        return [EnrollmentContact(position=i, purpose=p, name=p, email=f"{p}@entry.example")
                for i, p in enumerate(purposes)]

    def detained_to(topic):
        with app.app_context():
            return sorted(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.topic == topic)
                                             .order_by(OutboxMessage.id.desc()).limit(10)))

    with app.app_context():
        enrollment = Enrollment(organization_id=world.importer.organization_id, legal_name="Entry Imports LLC")
        enrollment.contacts = contacts("primary", "ipr", "division", "enforcement")
        owner = Enrollment(organization_id=world.owner_a.organization_id, legal_name="Mark A Brands")
        owner.contacts = [EnrollmentContact(position=0, purpose="primary", name="P", email="p@mark-a.example"),
                          EnrollmentContact(position=1, purpose="ipr", name="I", email="ipr@mark-a.example")]
        db.session.add_all([enrollment, owner])
        db.session.commit()
        enrollment_id = enrollment.id
    put_on_tier(world.owner_a, "standard")
    put_on_tier(world.owner_b, "standard")
    open_case()
    assert detained_to("case.detain") == ["enforcement@entry.example"]
    assert detained_to("case.owner_notice") == sorted(["ipr@mark-a.example", world.owner_b.email])
    with app.app_context():
        db.session.get(Enrollment, enrollment_id).contacts = contacts("primary", "ipr", "division")
        db.session.commit()
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
    open_case()
    assert detained_to("case.detain") == ["ipr@entry.example"]
