"""The standards pages: drafting with rows (JavaScript off), the version page's actions, compare,
catalogue, home panels, and CSRF on every form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from standards.models import StandardVersion

FORM = {"sector": "consumer_electronics", "title": "Used consumer electronics",
        "conditions": ["used", "refurbished"],
        "requirements-0-code": "R1", "requirements-0-text": "Bought from an authorised distributor.",
        "requirements-0-evidence": "Invoice",
        "requirements-1-code": "R2", "requirements-1-text": "Serial numbers checked.",
        "requirements-1-evidence": ""}


def row_count(html: str) -> int:
    """Editable requirement rows on a page (the <template> row uses __index__ and is not counted)."""
    return len(re.findall(r'name="requirements-\d+-text"', html))


def test_add_another_requirement_without_javascript_re_renders_with_one_more_row(world, web_as, app):
    group = web_as(world.group)
    assert row_count(group.get("/standards/new").text) == 1
    page = group.post("/standards/new", data={**FORM, "add_row": "1"})
    assert page.status_code == 200
    assert row_count(page.text) == 3
    assert "Serial numbers checked." in page.text  # what was typed is kept
    assert 'data-next-index="3"' in page.text
    assert "Please fix" not in page.text  # nothing validated, nothing saved
    assert world.run(lambda: db.session.scalar(select(func.count()).select_from(StandardVersion))) == 0


def test_remove_a_row_without_javascript(world, web_as):
    group = web_as(world.group)
    page = group.post("/standards/new", data={**FORM, "remove_row": "0"})
    assert row_count(page.text) == 1
    assert "Serial numbers checked." in page.text and "Bought from an authorised" not in page.text
    assert 'name="requirements-0-text"' in page.text  # renumbered from 0


def test_save_a_draft_and_see_it(world, web_as):
    group = web_as(world.group)
    response = group.post("/standards/new", data={**FORM, "save": "1"})
    assert response.status_code == 302
    page = group.get(response.headers["Location"])
    assert "Used consumer electronics" in page.text and "Serial numbers checked." in page.text
    assert 'data-status="draft"' in page.text and "Propose for endorsement" in page.text
    assert "Edit draft" in page.text


def test_form_errors_name_the_fields(world, web_as):
    group = web_as(world.group)
    missing = group.post("/standards/new", data={**FORM, "title": ""})
    assert missing.status_code == 422 and "Give the standard a title." in missing.text
    bad_rows = group.post("/standards/new", data={**FORM, "requirements-1-code": "R1"})
    assert bad_rows.status_code == 422 and "repeated: R1" in bad_rows.text


def test_edit_a_draft_but_not_a_proposal(world, web_as):
    draft = world.version("draft")
    proposed = world.version("proposed", sector="mobile_devices")
    group = web_as(world.group)
    form = group.get(f"/standards/{draft}/edit")
    assert form.status_code == 200 and row_count(form.text) == 3
    saved = group.post(f"/standards/{draft}/edit", data={**FORM, "title": "Renamed draft"})
    assert saved.status_code == 302
    assert "Renamed draft" in group.get(f"/standards/{draft}").text
    refused = group.get(f"/standards/{proposed}/edit")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/standards/{proposed}")


def test_propose_an_incomplete_draft_explains_what_is_missing(world, web_as):
    draft = world.version("draft", conditions=(), requirements=[])
    group = web_as(world.group)
    response = group.post(f"/standards/{draft}/propose")
    page = group.get(response.headers["Location"])
    assert "not ready to propose" in page.text and "Add at least one requirement." in page.text


def test_the_whole_life_through_the_pages(world, web_as):
    world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    group, rights, reviewer = web_as(world.group), web_as(world.rights), web_as(world.reviewer)
    vid = int(group.post("/standards/new", data=FORM).headers["Location"].rsplit("/", 1)[1])
    group.post(f"/standards/{vid}/propose")
    home = rights.get("/home").text
    assert "Awaiting your decision" in home and "Used consumer electronics" in home and "TMK 21-00123" in home
    page = rights.get(f"/standards/{vid}").text
    assert "Your decision" in page and "TMK 21-00123 — LUMEN" in page
    # an empty statement is refused, naming the field
    refused = rights.post(f"/standards/{vid}/endorse", data={"marks": ["TMK 21-00123"], "statement": ""})
    assert refused.status_code == 422 and "Write the endorsement statement." in refused.text
    assert rights.post(f"/standards/{vid}/endorse", data={"marks": ["TMK 21-00123"],
                                                          "statement": "Genuine."}).status_code == 302
    assert "Nothing awaits your decision" in rights.get("/home").text
    assert reviewer.post(f"/standards/{vid}/publish").status_code == 302
    assert 'data-status="published"' in reviewer.get(f"/standards/{vid}").text
    revised = group.post(f"/standards/{vid}/revise")
    v2 = int(revised.headers["Location"].rsplit("/", 1)[1])
    assert v2 != vid
    group.post(f"/standards/{v2}/edit", data={**FORM, "change_note": "IMEI too.",
                                              "requirements-1-text": "Serial numbers and IMEI checked."})
    compare = group.get(f"/standards/{v2}/compare")
    assert compare.status_code == 200
    assert '<ins class="gl-diff-added">and IMEI </ins>' in compare.text
    assert 'data-kind="changed"' in compare.text and "1 changed" in compare.text


def test_decline_and_withdraw_the_decline_through_the_pages(world, web_as):
    world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    vid = world.version("proposed")
    rights = web_as(world.rights)
    assert rights.post(f"/standards/{vid}/decline", data={"reason": ""}).status_code == 422
    declined = rights.post(f"/standards/{vid}/decline", data={"reason": "We inspect ourselves."})
    assert declined.status_code == 302
    page = rights.get(f"/standards/{vid}").text
    assert "We inspect ourselves." in page and "Withdraw our decline" in page
    decision_id = re.search(r"/decisions/(\d+)/withdraw", page).group(1)
    assert rights.post(f"/standards/{vid}/decisions/{decision_id}/withdraw").status_code == 302
    assert "Awaiting your decision" in rights.get("/home").text


def test_actions_offered_follow_the_table(world, web_as):
    world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    proposed = world.version("proposed")
    reviewer = web_as(world.reviewer)
    page = reviewer.get(f"/standards/{proposed}").text
    assert "Needs at least one live endorsement" in page and "disabled" in page
    importer = web_as(world.importer).get(f"/standards/{proposed}").text
    assert "Nothing for you to do on this version." in importer
    assert "Propose for endorsement" not in importer and "Publish" not in importer


def test_reviewers_see_proposals_ready_to_publish(world, web_as):
    world.mark("TMK 21-00123")
    world.version("proposed", endorse=["TMK 21-00123"], title="Endorsed proposal")
    world.version("proposed", sector="mobile_devices", title="Unendorsed proposal")
    page = web_as(world.reviewer).get("/standards").text
    box = page.split('id="ready-heading"')[1].split("</ul>")[0]
    assert "Endorsed proposal" in box and "Unendorsed proposal" not in box
    assert 'id="ready-heading"' not in web_as(world.group).get("/standards").text


def test_list_filters(world, web_as):
    world.mark("TMK 21-00123")
    world.version("published", endorse=["TMK 21-00123"], title="Electronics standard")
    world.version("proposed", sector="mobile_devices", title="Phones standard")
    importer = web_as(world.importer)
    everything = importer.get("/standards").text
    assert "Electronics standard" in everything and "Phones standard" in everything
    phones = importer.get("/standards?sector=mobile_devices").text
    assert "Phones standard" in phones and "Electronics standard" not in phones
    published = importer.get("/standards?status=published").text
    assert "Electronics standard" in published and "Phones standard" not in published


def test_public_catalogue_lists_published_standards_and_flags_heightened_sectors(world, client):
    world.mark("TMK 21-00123", sectors=["consumer_electronics", "medical_devices"])
    world.version("published", endorse=["TMK 21-00123"], title="Electronics standard")
    world.version("published", sector="medical_devices", endorse=["TMK 21-00123"], title="Monitors standard")
    world.version("proposed", sector="mobile_devices", title="Phones standard")
    page = client.get("/standards/catalogue")
    assert page.status_code == 200
    assert "Electronics standard" in page.text and "Monitors standard" in page.text
    assert "Phones standard" not in page.text
    assert "Heightened protection — never expedited" in page.text
    assert "never get expedited release" in page.text
    api = client.get("/api/v1/public/standards").json
    assert {s["title"]: s["expedited_release_possible"] for s in api["items"]} == {
        "Electronics standard": True, "Monitors standard": False}
    assert "endorsements" not in api["items"][0]


def test_industry_group_home_lists_its_standards(world, web_as):
    world.version("draft", title="Our draft standard")
    world.version("draft", author=world.other_group, title="Their draft standard")
    home = web_as(world.group).get("/home").text
    assert "Your standards" in home and "Our draft standard" in home and "Their draft standard" not in home


def test_rights_holder_without_marks_is_told_so(world, web_as):
    home = web_as(world.rights).get("/home").text
    assert "has not linked any recorded marks" in home


def test_reviewer_registers_and_edits_a_mark_on_the_web(world, web_as):
    reviewer = web_as(world.reviewer)
    form = reviewer.get("/marks/new")
    assert form.status_code == 200 and "Lumen Electronics Inc." in form.text
    bad = reviewer.post("/marks/new", data={"recordation_number": "TMK 2-1", "mark": "LUMEN",
                                            "owner_organization_id": world.rights.organization_id})
    assert bad.status_code == 422 and "TMK YY-NNNNN" in bad.text
    created = reviewer.post("/marks/new", data={"recordation_number": "TMK 21-00123", "mark": "LUMEN",
                                                "owner_organization_id": world.rights.organization_id,
                                                "lever_rule": "y", "sectors": ["consumer_electronics"]})
    assert created.status_code == 302
    mark_url = created.headers["Location"]
    duplicate = reviewer.post("/marks/new", data={"recordation_number": "TMK 21-00123", "mark": "LUMEN",
                                                  "owner_organization_id": world.rights.organization_id})
    assert duplicate.status_code == 302  # 409 on the web: a message and back to the form
    edited = reviewer.post(f"{mark_url}/edit", data={"mark": "LUMEN®", "sectors": ["mobile_devices"]})
    assert edited.status_code == 302
    page = reviewer.get(mark_url).text
    assert "LUMEN®" in page and "Mobile phones and tablets" in page and "No Lever-rule protection" in page


# --- CSRF --------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_csrf_protects_every_standards_form(world, app, csrf_on):
    world.mark("TMK 21-00123")
    draft = world.version("draft")
    client = app.test_client()
    login_page = client.get("/login").text
    assert client.post("/login", data={"email": world.group.email, "password": world.group.password,
                                       "csrf_token": token_from(login_page)}).status_code == 302
    # without the token: refused, nothing changes
    assert client.post(f"/standards/{draft}/propose").status_code == 400
    assert client.post("/standards/new", data=FORM).status_code == 400
    assert world.get(draft)["status"] == "draft"
    # with the token from the page: accepted
    page = client.get(f"/standards/{draft}").text
    response = client.post(f"/standards/{draft}/propose", data={"csrf_token": token_from(page)})
    assert response.status_code == 302
    assert world.get(draft)["status"] == "proposed"
    form = client.get("/standards/new").text
    assert client.post("/standards/new", data={**FORM, "csrf_token": token_from(form)}).status_code == 302


def test_the_public_catalogue_is_linked_from_the_landing_page_and_every_footer(client):
    landing = client.get("/").text
    assert 'href="/standards/catalogue"' in landing
    assert 'href="/standards/catalogue"' in client.get("/verify").text  # the footer, on every page
