"""The release-decision pages: the request form (rows without JavaScript, inline errors, nothing stored on
error), the decision page with reasons in plain words, tenancy, the reviewer's facts, the filtered list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from core.extensions import db
from program.decisions.models import ReleaseDecision
from program.decisions.uei import format_uei
from tests.program.decisions.conftest import EXPEDITED_LINE, IOR, REFERRED_LINE, STANDARD_LINE

ENTRY = "ABC-1234567-6"


@pytest.fixture
def web_as(app):
    """Factory: a fresh test client signed in (through the login form) as ``user``."""

    def factory(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302
        return client

    return factory


def form_data(*lines: dict[str, Any], ior_field: str = "ior_choice", **overrides: Any) -> dict[str, Any]:
    """The request form as a browser posts it (JavaScript off), for ``lines`` in API shape."""
    data: dict[str, Any] = {"entry_number": ENTRY, "port_code": "2704", ior_field: IOR, "decide": "1"}
    for index, line in enumerate(lines):
        for name, value in line.items():
            if name == "lever_label":
                if value:
                    data[f"lines-{index}-lever_label"] = "y"
                continue
            data[f"lines-{index}-{name}"] = str(value)
    data.update(overrides)
    return data


def decision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReleaseDecision))


def row_count(html: str) -> int:
    """Editable line rows on the page (the <template> row uses __index__ and is not counted)."""
    return len(re.findall(r'name="lines-\d+-description"', html))


def test_three_lines_show_each_outcome_and_reason(world, web_as, app):
    importer = web_as(world.importer.user)
    form = importer.get("/decisions/new")
    assert form.status_code == 200
    assert f'<option selected value="{IOR}">' in form.text or f'value="{IOR}" selected' in form.text
    response = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE))
    assert response.status_code == 302, response.text
    page = importer.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.text
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision))
        assert decision.source == "web" and decision.outcome == "refer_for_examination"
        assert format_uei(decision.uei) in html
    assert 'data-testid="entry-outcome" data-outcome="refer_for_examination"' in html
    assert re.search(r'data-line="1" data-outcome="expedited_release"', html)
    assert re.search(r'data-line="2" data-outcome="standard_processing"', html)
    assert re.search(r'data-line="3" data-outcome="refer_for_examination"', html)
    assert "The sector Pharmaceuticals has heightened protection" in html
    assert "TMK 19-04567 has Lever-rule protection" in html
    assert 'data-code="lever_label_missing"' in html and 'data-code="heightened_protection"' in html
    assert "Facts this decision used" not in html  # importers do not see the facts


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"entry_number": "ABC-1234567-5"}, "entry_number", "check digit"),
    ({"entry_number": ""}, "entry_number", "Enter the entry number"),
    ({"port_code": "27"}, "port_code", "4 digits"),
    ({"lines-0-hts_code": "8517.13"}, "lines-0-hts_code", "An HTS code has 10 digits"),
    ({"lines-0-quantity": "0"}, "lines-0-quantity", "greater than 0"),
    ({"lines-0-description": ""}, "lines-0-description", "Describe the goods."),
    ({"lines-0-recordation_number": "21-00123"}, "lines-0-recordation_number", "TMK 21-00123"),
    ({"lines-0-condition": "stolen"}, "lines-0-condition", "Must be one of"),
    ({"lines-0-sector": "spaceships"}, "lines-0-sector", "Unknown sector"),
    ({"lines-0-blank_declaration_id": "BGD-1"}, "lines-0-blank_declaration_id", "BGD-2026-000123"),
])
def test_errors_are_inline_naming_the_field_and_nothing_is_stored(world, web_as, app, overrides, field, message):
    importer = web_as(world.importer.user)
    response = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, **overrides))
    assert response.status_code == 422
    html = response.text
    assert f'id="{field}-error"' in html, html[:3000]
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html).group(1)
    assert message in error
    assert f'href="#{field}"' in html  # the summary links to the field
    assert "Nothing was decided" in html
    assert decision_count(app) == 0


def test_errors_on_a_later_row_name_that_row(world, web_as, app):
    importer = web_as(world.importer.user)
    bad = dict(STANDARD_LINE, hts_code="12")
    response = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, bad))
    assert response.status_code == 422
    assert 'id="lines-1-hts_code-error"' in response.text and "Line 2, hts code" in response.text
    assert decision_count(app) == 0


def test_importer_cannot_ask_about_another_ior(world, web_as, app):
    importer = web_as(world.importer.user)
    response = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, ior_choice="98-7654321"))
    assert response.status_code == 422
    assert "not on an enrollment of your organisation" in response.text
    assert decision_count(app) == 0


def test_reviewer_types_any_ior(world, web_as, app):
    reviewer = web_as(world.reviewer.user)
    form = reviewer.get("/decisions/new").text
    assert 'name="ior_number"' in form and 'name="ior_choice"' not in form
    response = reviewer.post("/decisions/new", data=form_data(EXPEDITED_LINE, ior_field="ior_number",
                                                               ior_number="55-5555555"))
    assert response.status_code == 302
    page = reviewer.get(response.headers["Location"]).text
    assert 'data-code="not_enrolled"' in page


def test_add_and_remove_rows_without_javascript(world, web_as, app):
    importer = web_as(world.importer.user)
    assert row_count(importer.get("/decisions/new").text) == 1
    added = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, STANDARD_LINE, add_row="1"))
    assert added.status_code == 200 and row_count(added.text) == 3
    assert "Generic pills" in added.text  # what was typed is kept
    assert 'data-next-index="3"' in added.text
    assert "Nothing was decided" not in added.text
    removed = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, STANDARD_LINE, remove_row="0"))
    assert row_count(removed.text) == 1
    assert "Generic pills" in removed.text and "Used LUMEN phones" not in removed.text
    assert decision_count(app) == 0
    # The remaining row (posted as lines-1-*) is decided as the entry's only line.
    response = importer.post("/decisions/new", data={
        k.replace("lines-0-", "lines-1-"): v for k, v in form_data(EXPEDITED_LINE).items()})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ReleaseDecision)).line_count == 1


def test_empty_rows_are_ignored_and_line_numbers_default_to_position(world, web_as, app):
    importer = web_as(world.importer.user)
    lines = [dict(EXPEDITED_LINE, line_no=""), {"description": "", "hts_code": ""}, dict(STANDARD_LINE, line_no="")]
    response = importer.post("/decisions/new", data=form_data(*lines))
    assert response.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision))
        assert [line.line_no for line in decision.lines] == [1, 2]


def test_no_lines_at_all(world, web_as, app):
    importer = web_as(world.importer.user)
    response = importer.post("/decisions/new", data=form_data({"description": ""}))
    assert response.status_code == 422 and "Add at least one line." in response.text
    assert decision_count(app) == 0


def _decide(client, entry, *lines, **kw) -> int:
    response = client.post("/api/v1/release-decisions", json=entry(*lines, **kw))
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_tenancy(world, entry, web_as, make_user):
    decision_id = _decide(world.importer, entry)
    assert web_as(world.importer.user).get(f"/decisions/{decision_id}").status_code == 200
    assert web_as(world.other_importer.user).get(f"/decisions/{decision_id}").status_code == 404
    assert web_as(world.rights.user).get(f"/decisions/{decision_id}").status_code == 403
    assert web_as(world.rights.user).get("/decisions").status_code == 403
    assert web_as(world.rights.user).get("/decisions/new").status_code == 403
    assert web_as(world.admin.user).get(f"/decisions/{decision_id}").status_code == 200
    assert web_as(world.admin.user).get("/decisions/new").status_code == 403
    other_list = web_as(world.other_importer.user).get("/decisions").text
    assert f'data-decision-id="{decision_id}"' not in other_list


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ("/decisions", "/decisions/new", "/decisions/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_reviewer_sees_links_to_the_facts(world, entry, web_as, blank_line):
    decision_id = _decide(world.reviewer, entry, EXPEDITED_LINE, blank_line(line_no=2))
    html = web_as(world.reviewer.user).get(f"/decisions/{decision_id}").text
    assert "Facts this decision used" in html
    assert f'href="/review/enrollments/{world.enrollment_id}"' in html
    assert f'href="/standards/{world.version_id}"' in html
    assert "TMK 21-00123" in html and "LUMEN" in html
    assert world.declaration_id in html  # a link once the blanks pages exist, plain text before


def test_list_filters_and_pagination(world, entry, web_as):
    first = _decide(world.importer, entry, EXPEDITED_LINE)
    second = _decide(world.importer, entry, REFERRED_LINE, entry_number="999-9999999-0")
    third = _decide(world.reviewer, entry, EXPEDITED_LINE, ior_number="55-5555555", port_code="1001")
    reviewer = web_as(world.reviewer.user)

    def ids(query: str) -> list[int]:
        html = reviewer.get(f"/decisions{query}").text
        return [int(n) for n in re.findall(r'data-decision-id="(\d+)"', html)]

    assert ids("") == [third, second, first]  # newest first
    assert ids("?outcome=refer_for_examination") == [second]
    assert ids("?outcome=standard_processing") == [third]  # not enrolled
    assert ids("?outcome=expedited_release") == [first]
    assert ids(f"?ior_number={IOR.lower()}") == [second, first]
    assert ids("?entry_number=99999999990") == [second]  # dashes optional
    assert ids("?port_code=1001") == [third]
    assert ids("?decided_from=2000-01-01&decided_until=2999-12-31") == [third, second, first]
    assert ids("?decided_until=2000-01-01") == []
    assert ids("?decided_from=not-a-date") == [third, second, first]  # a bad date is ignored, not a 500
    assert ids("?page_size=2") == [third, second]
    assert ids("?page_size=2&page=2") == [first]
    page = reviewer.get("/decisions?page_size=2").text
    assert "Page 1 of 2" in page and "page=2" in page
    importer_ids = [int(n) for n in re.findall(r'data-decision-id="(\d+)"',
                                               web_as(world.importer.user).get("/decisions").text)]
    assert third not in importer_ids  # the reviewer's decision for another IOR is not the importer's


def test_navigation_shows_release_decisions_to_importers_and_reviewers(world, web_as):
    assert 'href="/decisions"' in web_as(world.importer.user).get("/home").text
    assert 'href="/decisions"' in web_as(world.reviewer.user).get("/home").text
    assert 'href="/decisions"' not in web_as(world.rights.user).get("/home").text


def test_an_importer_without_enrollment_is_told_to_apply(web_as, make_user, app):
    page = web_as(make_user("importer", org="Newcomer Imports LLC")).get("/decisions/new")
    # No form with an empty IOR list: a 403 that says why, as blank-goods declarations do.
    assert page.status_code == 403 and "An enrollment is needed first" in page.text and "ior_choice" not in page.text


def test_a_second_request_for_a_decided_entry_is_refused_on_the_form(world, web_as, app):
    importer = web_as(world.importer.user)
    assert importer.post("/decisions/new", data=form_data(EXPEDITED_LINE)).status_code == 302
    again = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE))
    assert again.status_code == 409
    assert "already has a live release decision" in again.text and 'id="entry_number-error"' in again.text
    assert decision_count(app) == 1


def test_supersede_from_the_form_after_the_409(world, web_as, app):
    importer = web_as(world.importer.user)
    first = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE))
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    again = importer.post("/decisions/new", data=form_data(STANDARD_LINE))
    assert again.status_code == 409 and 'data-testid="supersede-box"' in again.text
    assert f'name="supersedes" type="hidden" value="{first_id}"' in again.text
    # Sent back unticked: still refused, nothing decided.
    unticked = importer.post("/decisions/new", data=form_data(STANDARD_LINE, supersedes=str(first_id)))
    assert unticked.status_code == 409 and decision_count(app) == 1
    ticked = importer.post("/decisions/new", data=form_data(STANDARD_LINE, supersedes=str(first_id), supersede="y"))
    assert ticked.status_code == 302, ticked.text
    page = importer.get(ticked.headers["Location"]).text
    assert 'data-testid="supersedes"' in page
    with app.app_context():
        statuses = sorted(db.session.scalars(select(ReleaseDecision.status)))
    assert statuses == ["live", "superseded"]
    assert 'data-testid="superseded"' in importer.get(f"/decisions/{first_id}").text


def test_supersede_naming_another_entrys_decision_is_refused_on_the_form(world, web_as, app):
    importer = web_as(world.importer.user)
    other = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, entry_number="999-9999999-0"))
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    importer.post("/decisions/new", data=form_data(EXPEDITED_LINE))
    tampered = importer.post("/decisions/new", data=form_data(STANDARD_LINE, supersedes=str(other_id), supersede="y"))
    assert tampered.status_code == 422 and 'id="entry_number-error"' in tampered.text
    assert decision_count(app) == 2


def test_a_parcel_from_a_known_violative_seller_is_referred_and_explained(world, web_as, app, make_user):
    reviewer = web_as(make_user("reviewer"))
    added = reviewer.post("/review/violative-shippers", data={"name": "Bright Star Wholesale Ltd", "country": "HK",
                                                             "reason": "Seized counterfeit parcels, 2025"})
    assert added.status_code == 302
    importer = web_as(world.importer.user)
    line = dict(EXPEDITED_LINE, country_of_origin="CN")
    response = importer.post("/decisions/new", data=form_data(
        line, shipment_type="section_321", house_bill="HAWB7654321", seller_name="Bright Star Wholesale Limited",
        seller_country="HK", marketplace="example-market.com"))
    assert response.status_code == 302, response.text
    html = importer.get(response.headers["Location"]).text
    assert 'data-code="known_violative_shipper"' in html
    assert "Section 321 (de minimis) parcel" in html and "HAWB7654321" in html and "(Hong Kong)" in html
    assert "made in China" in html
    with app.app_context():
        decision = db.session.scalar(select(ReleaseDecision))
        assert decision.shipment["type"] == "section_321" and decision.shipment["seller"]["country"] == "HK"
        assert decision.outcome == "refer_for_examination"


def test_a_formal_entry_with_no_shipment_fields_sends_no_shipment(world, web_as, app):
    importer = web_as(world.importer.user)
    assert importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, shipment_type="formal")).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ReleaseDecision)).shipment is None


@pytest.mark.parametrize(("overrides", "field_id", "message"), [
    ({"shipment_type": "by_pigeon"}, "shipment_type", "formal or section_321"),
    ({"seller_country": "ZZ", "seller_name": "Someone"}, "seller_country", "ZZ"),
    ({"seller_country": "HK"}, "seller_name", ""),
    ({"lines-0-country_of_origin": "XX"}, "lines-0-country_of_origin", "XX"),
])
def test_bad_shipment_or_origin_is_named_on_the_form(world, web_as, app, overrides, field_id, message):
    importer = web_as(world.importer.user)
    response = importer.post("/decisions/new", data=form_data(EXPEDITED_LINE, **overrides))
    assert response.status_code == 422, response.text
    assert f'id="{field_id}-error"' in response.text and f'href="#{field_id}"' in response.text
    assert message in response.text
    assert decision_count(app) == 0
