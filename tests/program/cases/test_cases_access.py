"""Every case route × every role: CBP, the entry's importer, a mark owner on the entry, and outsiders
(another importer, a mark owner with nothing on the entry, an industry group) — existence never leaks."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.accounts.models import User
from core.extensions import db
from program.cases import services
from program.cases.models import EnforcementCase
from tests.program.cases.conftest import PDF_BYTES, PNG_BYTES, upload

WHO = ("reviewer", "admin", "importer", "owner_a", "other_importer", "owner_c", "group")
# (method, path template, {who: status}); {uei}, {image}, {decision} are filled in.
ROUTES = [
    ("get", "/cases", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 200, "other_importer": 200,
                       "owner_c": 200, "group": 403}),
    ("get", "/cases/{uei}", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 200, "other_importer": 404,
                             "owner_c": 404, "group": 403}),
    # 133.21(d): the importer sees every image from upload; an owner only redacted ones of its lines, once shared.
    ("get", "/cases/{uei}/images/{image}", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 404,
                                            "other_importer": 404, "owner_c": 404, "group": 403}),
    ("get", "/cases/new?decision_id={decision}", {"reviewer": 200, "admin": 403, "importer": 403, "owner_a": 403,
                                                  "other_importer": 403, "owner_c": 403, "group": 403}),
    ("get", "/stats/enforcement", {"reviewer": 200, "admin": 200, "importer": 403, "owner_a": 403,
                                   "other_importer": 403, "owner_c": 403, "group": 403}),
    ("get", "/stats/enforcement/outcomes.csv", {"reviewer": 200, "admin": 200, "importer": 403, "owner_a": 403,
                                                "other_importer": 403, "owner_c": 403, "group": 403}),
    ("get", "/dashboard", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 200, "other_importer": 200,
                           "owner_c": 200, "group": 403}),
    ("get", "/api/v1/cases/{uei}", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 200,
                                    "other_importer": 404, "owner_c": 404, "group": 403}),
    ("get", "/api/v1/cases", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 200, "other_importer": 200,
                              "owner_c": 200, "group": 403}),
    ("get", "/api/v1/stats/enforcement", {"reviewer": 200, "admin": 200, "importer": 403, "owner_a": 403,
                                          "other_importer": 403, "owner_c": 403, "group": 403}),
    # The importer's response file: CBP and the importer; the mark owner sees milestones only.
    ("get", "/cases/{uei}/files/{file}", {"reviewer": 200, "admin": 200, "importer": 200, "owner_a": 404,
                                          "other_importer": 404, "owner_c": 404, "group": 403}),
    # Small parcels together: reviewers only (an empty bulk request is 422 naming its fields).
    ("get", "/cases/bulk", {"reviewer": 200, "admin": 403, "importer": 403, "owner_a": 403, "other_importer": 403,
                            "owner_c": 403, "group": 403}),
    ("post", "/api/v1/cases/bulk-events", {"reviewer": 422, "admin": 403, "importer": 403, "owner_a": 403,
                                           "other_importer": 403, "owner_c": 403, "group": 403}),
    ("get", "/stats/enforcement/charts/penalties.svg", {"reviewer": 200, "admin": 200, "importer": 403,
                                                        "owner_a": 403, "other_importer": 403, "owner_c": 403,
                                                        "group": 403}),
    ("get", "/dashboard/charts/decisions.svg", {"reviewer": 200, "admin": 200, "importer": 404, "owner_a": 404,
                                                "other_importer": 404, "owner_c": 404, "group": 403}),
]


@pytest.fixture
def setting(app, world, make_user, reviewer_api, open_case, make_decision):
    case = open_case()
    image = reviewer_api.post(f"/api/v1/cases/{case['uei']}/images", data={"image": upload(PNG_BYTES, "p.png")},
                              content_type="multipart/form-data").json["images"][0]["id"]
    decision_id, _ = make_decision()
    with app.app_context():  # the importer's response with a file (the web form's service call)
        found = db.session.scalar(select(EnforcementCase).where(EnforcementCase.uei == case["uei"]))
        event = services.record_event(db.session.get(User, world.importer.id), found, event_type="importer_response",
                                      note="Invoices attached.",
                                      files=[FileStorage(io.BytesIO(PDF_BYTES), filename="invoice.pdf")])
        db.session.commit()
        files = [f.id for f in event.files]
        db.session.remove()
    assert len(files) == 1
    users = {"reviewer": world.reviewer, "admin": world.admin, "importer": world.importer, "owner_a": world.owner_a,
             "other_importer": world.other_importer, "owner_c": make_user("rights_holder", org="No Marks Here Inc"),
             "group": world.group}
    return {"uei": case["uei"], "image": image, "decision": decision_id, "file": files[0], "users": users}


@pytest.mark.parametrize(("method", "path", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _e in ROUTES])
def test_route_by_role(client, login, api_as, setting, method, path, expected):
    url = path.format(uei=setting["uei"], image=setting["image"], decision=setting["decision"], file=setting["file"])
    for who in WHO:
        user = setting["users"][who]
        if url.startswith("/api/"):
            response = getattr(api_as(user), method)(url)
        else:
            login(user)
            response = getattr(client, method)(url)
            client.post("/logout")
        response.close()
        assert response.status_code == expected[who], (who, url)
