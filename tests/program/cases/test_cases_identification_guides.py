"""The case page lists, for reviewers only, the product identification guides covering the entry's marks."""

from __future__ import annotations

from core.extensions import db
from standards.models import RecordedMark
from tests.program.cases.conftest import MARK_A

OTHER_MARK = "TMK 20-00001"


def _guide(api_as, owner, mark: str, title: str) -> None:
    body = {"title": title, "marks": [mark], "sectors": ["mobile_devices"], "hts_prefixes": ["851713"],
            "genuine_features": "Etched logo.", "contact_email": "auth@owner.example", "service_hours": 48}
    assert api_as(owner).post("/api/v1/guides", json=body).status_code == 201


def test_reviewers_see_identification_guides_of_the_entrys_marks(app, client, login, api_as, world, open_case):
    case = open_case()  # lines bear MARK_A and MARK_B, not OTHER_MARK
    with app.app_context():
        db.session.add(RecordedMark(recordation_number=OTHER_MARK, mark="ACME SPORT",
                                    owner_organization_id=world.owner_b.organization_id))
        db.session.commit()
    _guide(api_as, world.owner_a, MARK_A, "Lumen phones guide")
    _guide(api_as, world.owner_b, OTHER_MARK, "Acme guide")
    login(world.reviewer)
    page = client.get(f"/cases/{case['uei']}").text
    assert "Product identification guides" in page
    assert "Lumen phones guide" in page and "authenticates within 48 h" in page
    assert "Acme guide" not in page


def test_parties_do_not_see_identification_guides_on_cases(client, login, api_as, world, open_case):
    case = open_case()
    _guide(api_as, world.owner_a, MARK_A, "Lumen phones guide")
    for who in (world.importer, world.owner_a):
        login(who)
        page = client.get(f"/cases/{case['uei']}")
        assert page.status_code == 200 and "Lumen phones guide" not in page.text
        client.post("/logout")
