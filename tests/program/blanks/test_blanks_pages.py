"""The blank-goods pages: importer list with remaining quantities, filing form (rows and CSV),
declaration page with ledger and queries, CBP list with filters and actions, rights holder's view."""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from program.blanks import services
from program.blanks.models import BlankDeclaration, BlankLine
from tests.program.blanks.conftest import licensed_line

FORM = {
    "valid_from": "2026-12-01", "valid_until": "2027-05-31",
    "parties-0-role": "manufacturer", "parties-0-name": "Dhaka Plain Caps", "parties-0-country": "BD",
    "parties-0-address": "Plot 4, EPZ",
    "lines-0-description": "Plain caps", "lines-0-hts_code": "6505.00.8015", "lines-0-quantity": "1200",
    "lines-0-unit": "pcs", "lines-0-country_of_origin": "BD", "lines-0-intended_marking": "none",
    "lines-1-description": "Plain totes", "lines-1-hts_code": "4202923131", "lines-1-quantity": "300",
    "lines-1-unit": "pcs", "lines-1-country_of_origin": "CN", "lines-1-intended_marking": "none",
    "attestation": "y",
}


def test_filing_through_the_form(app, client, login, importer_api):
    login(importer_api.user)
    assert "File a blank-goods declaration" in client.get("/blanks/new").text
    response = client.post("/blanks/new", data=FORM)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"]).text
    assert "Plain caps" in page and "6505.00.8015" in page and "1,200 of 1,200 pcs remaining" in page
    listing = client.get("/blanks/").text
    assert "300 of 300 pcs remaining" in listing and "<progress" in listing


def test_form_errors_are_shown_on_the_fields_and_nothing_is_filed(app, client, login, importer_api):
    login(importer_api.user)
    data = dict(FORM, **{"lines-1-hts_code": "4202", "parties-0-role": "seller", "attestation": ""})
    response = client.post("/blanks/new", data=data)
    assert response.status_code == 200
    assert "10-digit HTS code" in response.text and "Name the manufacturer" in response.text
    assert "Attest" in response.text
    with app.app_context():
        assert db.session.scalar(select(BlankDeclaration.id)) is None


def test_rows_can_be_added_and_removed_without_javascript(client, login, importer_api):
    login(importer_api.user)
    added = client.post("/blanks/new", data=dict(FORM, add_lines="1"))
    assert 'name="lines-2-description"' in added.text
    removed = client.post("/blanks/new", data=dict(FORM, remove_lines="0"))
    assert 'name="lines-1-description"' not in removed.text and "Plain totes" in removed.text


def test_csv_upload_files_the_lines(client, login, importer_api):
    login(importer_api.user)
    csv_text = b"description,hts_code,quantity,unit,country_of_origin\nPlain mugs,6912004400,48,doz,CN\n"
    data = {k: v for k, v in FORM.items() if not k.startswith("lines-")}
    data["lines_csv"] = (io.BytesIO(csv_text), "lines.csv")
    response = client.post("/blanks/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    assert "Plain mugs" in client.get(response.headers["Location"]).text


def test_csv_upload_errors_name_the_rows(client, login, importer_api):
    login(importer_api.user)
    csv_text = b"description,hts_code,quantity,country_of_origin\nMugs,6912004400,48,CN\nBad,69,0,CN\n"
    data = {k: v for k, v in FORM.items() if not k.startswith("lines-")}
    data["lines_csv"] = (io.BytesIO(csv_text), "lines.csv")
    response = client.post("/blanks/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Row 3, hts_code" in response.text and "Row 3, quantity" in response.text


def test_an_importer_without_enrollment_sees_why(client, login, make_user):
    login(make_user("importer"))
    response = client.get("/blanks/new")
    assert response.status_code == 403 and "approved enrollment" in response.text


def test_declaration_page_shows_the_ledger(app, client, login, importer_api, file_as):
    public_id = file_as(importer_api.user)
    with app.app_context():
        line_id = db.session.scalar(select(BlankLine.id).where(BlankLine.line_no == 1))
        services.consume_blank_quantity(line_id, Decimal(400), decision_id=12, reference="UEI 7KQ2-XR4M")
        db.session.commit()
    login(importer_api.user)
    page = client.get(f"/blanks/{public_id}").text
    assert "UEI 7KQ2-XR4M" in page and "600 of 1,000 pcs remaining" in page and "(#12)" in page


def test_reviewer_queries_and_importer_answers_on_the_pages(app, client, login, importer_api, make_user, file_as):
    public_id = file_as(importer_api.user)
    reviewer = make_user("reviewer")
    login(reviewer)
    listing = client.get("/blanks/?hts_chapter=42&country=CN").text
    assert public_id in listing
    assert public_id not in client.get("/blanks/?hts_chapter=61").text
    assert "An HTS chapter is two digits" in client.get("/blanks/?hts_chapter=²³").text  # ASCII digits only
    assert public_id in client.get("/blanks/?importer=Importer").text
    assert client.post(f"/blanks/{public_id}/query", data={"text": ""}).status_code == 302
    client.post(f"/blanks/{public_id}/query", data={"text": "Who finishes the bags?"})
    queried = client.get(f"/blanks/{public_id}").text
    assert "Awaiting answer" in queried and "Until it is answered, it covers no shipments" in queried
    client.post("/logout")
    login(importer_api.user)
    assert "Answer it" in client.get("/blanks/").text
    client.post(f"/blanks/{public_id}/answer", data={"text": "Nobody; sold plain."})
    page = client.get(f"/blanks/{public_id}").text
    assert "Nobody; sold plain." in page and 'data-status="filed"' in page and "covers no shipments" not in page
    client.post("/logout")
    login(reviewer)
    client.post(f"/blanks/{public_id}/revoke", data={"text": "Logos found"})
    assert "Revoked by CBP: Logos found" in client.get(f"/blanks/{public_id}").text


def test_rights_holder_sees_only_licensed_lines_of_its_marks(app, client, login, importer_api, declaration_body,
                                                             mark_of):
    holder, number = mark_of(name="ACME")
    other_holder, other_number = mark_of(name="LUMEN")
    body = declaration_body()
    body["lines"] += [licensed_line(number), licensed_line(other_number, line_no=4, authorization_ref="LUMEN-9",
                                                           description="Blank speaker housings")]
    created = importer_api.post("/api/v1/blank-declarations", json=body)
    assert created.status_code == 201
    login(holder.user)
    page = client.get("/blanks/licensed").text
    assert "ACME-LIC-2026-17" in page and created.json["id"] in page and "Plain caps for licensed" in page
    # nothing else of the importer: not the other lines, parties, other marks' lines or contacts
    for secret in ("Plain cotton tote", "Blank phone cases", "Guangzhou Plain Bags", "Pearl River", "LUMEN-9",
                   "Blank speaker housings", "pat@blank-importers.example"):
        assert secret not in page
    api = holder.get("/api/v1/blank-declarations/licensed-lines").json
    assert [(i["line_no"], i["authorization_ref"]) for i in api["items"]] == [(3, "ACME-LIC-2026-17")]
    assert "parties" not in api["items"][0]
    assert holder.get(f"/api/v1/blank-declarations/{created.json['id']}").status_code == 403
    assert client.get(f"/blanks/{created.json['id']}").status_code == 403
    assert other_holder.get("/api/v1/blank-declarations/licensed-lines").json["total"] == 1


def test_conversations_about_a_declaration(app, client, login, importer_api, file_as):
    public_id = file_as(importer_api.user)
    login(importer_api.user)
    page = client.get(f"/blanks/{public_id}").text
    assert "Conversations with CBP about this" in page
    response = client.get(f"/messages/new?related_type=blank_declaration&related_id={public_id}")
    assert response.status_code == 200 and public_id in response.text
