"""API.md "Blank-goods declarations": filing (201/403/422), reading, transitions (200/409) and isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.timeutil import today
from tests.program.blanks.conftest import licensed_line

URL = "/api/v1/blank-declarations"


def _file(api, body):
    response = api.post(URL, json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_filing_answers_201_with_the_declaration(importer_api, declaration_body):
    body = _file(importer_api, declaration_body())
    assert body["id"].startswith(f"BGD-{today().year}-") and len(body["id"]) == 15
    assert body["status"] == "filed"
    assert body["valid_from"] == today().isoformat()
    assert [p["role"] for p in body["parties"]] == ["manufacturer", "seller"]
    first, second = body["lines"]
    assert first["line_no"] == 1 and first["hts_code"] == "4202923131"
    assert first["quantity"] == first["remaining_quantity"] == "1000.000"
    assert second["quantity"] == "250.500" and second["country_of_origin"] == "VN"
    assert first["intended_marking"] == "none" and first["authorization_ref"] is None
    assert body["ledger"] == [] and body["queries"] == []
    assert importer_api.get(f"{URL}/{body['id']}").json == body


def test_a_licensed_line_names_its_mark(importer_api, declaration_body, mark_of):
    _holder, number = mark_of()
    body = declaration_body()
    body["lines"].append(licensed_line(number))
    line = _file(importer_api, body)["lines"][2]
    assert line["intended_marking"] == "licensed"
    assert line["authorization_ref"] == "ACME-LIC-2026-17" and line["recordation_number"] == number


def test_an_importer_without_an_approved_enrollment_gets_403(api_as, declaration_body):
    response = api_as("importer").post(URL, json=declaration_body())
    assert response.status_code == 403
    assert "enrollment" in response.json["message"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b["lines"][0].update(hts_code="4202.92"), "lines.0.hts_code"),
    (lambda b: b["lines"][1].update(hts_code="42029231310"), "lines.1.hts_code"),
    (lambda b: b["lines"][0].update(intended_marking="licensed", recordation_number="TMK 21-00001"),
     "lines.0.authorization_ref"),
    (lambda b: b["lines"][0].update(intended_marking="licensed", authorization_ref="L-1"),
     "lines.0.recordation_number"),
    (lambda b: b["lines"][0].update(intended_marking="licensed", authorization_ref="L-1",
                                    recordation_number="TMK 99-99999"), "lines.0.recordation_number"),
    (lambda b: b.update(parties=[{"role": "seller", "name": "S", "country": "HK"}]), "parties"),
    (lambda b: b["lines"][0].update(quantity=0), "lines.0.quantity"),
    (lambda b: b["lines"][0].update(quantity="-3"), "lines.0.quantity"),
    (lambda b: b["lines"][0].update(country_of_origin="XX"), "lines.0.country_of_origin"),
    (lambda b: b["parties"][0].update(country="China"), "parties.0.country"),
    (lambda b: b["parties"][0].update(role="broker"), "parties.0.role"),
    (lambda b: b["lines"][1].update(line_no=1), "lines.1.line_no"),
    (lambda b: b.update(attestation=False), "attestation"),
    (lambda b: b.update(valid_until=(today() - timedelta(days=1)).isoformat()), "valid_until"),
    (lambda b: b.update(valid_from="next week"), "valid_from"),
    (lambda b: b.update(lines=[]), "lines"),
])
def test_invalid_fields_are_422_naming_the_field(importer_api, declaration_body, change, field):
    body = declaration_body()
    change(body)
    response = importer_api.post(URL, json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"], response.json


def test_422_names_hts_code_authorization_ref_and_parties_at_once(importer_api, declaration_body):
    body = declaration_body(parties=[])
    body["lines"][0].update(hts_code="12", intended_marking="licensed")
    response = importer_api.post(URL, json=body)
    assert response.status_code == 422
    text = response.text
    assert "hts_code" in text and "authorization_ref" in text and "parties" in text


def test_hts_codes_with_or_without_dots(importer_api, declaration_body):
    body = declaration_body()
    body["lines"][0]["hts_code"] = "6202.93.5011"
    body["lines"][1]["hts_code"] = "6202935011"
    lines = _file(importer_api, body)["lines"]
    assert [line["hts_code"] for line in lines] == ["6202935011", "6202935011"]


def test_another_importers_declaration_is_404(importer_api, enrolled, declaration_body):
    declaration = _file(importer_api, declaration_body())
    other = enrolled()
    for response in (other.get(f"{URL}/{declaration['id']}"),
                     other.post(f"{URL}/{declaration['id']}/withdraw", json={}),
                     other.post(f"{URL}/{declaration['id']}/answer", json={"answer": "x"})):
        assert response.status_code == 404
    assert other.get(URL).json["total"] == 0
    assert importer_api.get(URL).json["total"] == 1


def test_unknown_declaration_is_404(importer_api, reviewer_api):
    assert importer_api.get(f"{URL}/BGD-2026-999999").status_code == 404
    assert reviewer_api.get(f"{URL}/BGD-2026-999999").status_code == 404


def test_query_answer_revoke_and_their_conflicts(importer_api, reviewer_api, declaration_body):
    declaration = _file(importer_api, declaration_body())
    path = f"{URL}/{declaration['id']}"
    assert importer_api.post(f"{path}/answer", json={"answer": "nothing asked"}).status_code == 409
    queried = reviewer_api.post(f"{path}/query", json={"question": "Who applies the finish?"})
    assert queried.status_code == 200 and queried.json["status"] == "queried"
    assert queried.json["queries"][0]["question"] == "Who applies the finish?"
    assert reviewer_api.post(f"{path}/query", json={"question": "again?"}).status_code == 409
    answered = importer_api.post(f"{path}/answer", json={"answer": "No one; they stay plain."})
    assert answered.status_code == 200 and answered.json["status"] == "filed"
    assert answered.json["queries"][0]["answer"] == "No one; they stay plain."
    assert reviewer_api.post(f"{path}/revoke", json={}).status_code == 422
    revoked = reviewer_api.post(f"{path}/revoke", json={"reason": "Logos found at exam"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    assert revoked.json["revoked_reason"] == "Logos found at exam"
    assert reviewer_api.post(f"{path}/revoke", json={"reason": "again"}).status_code == 409
    assert importer_api.post(f"{path}/withdraw", json={}).status_code == 409
    assert reviewer_api.post(f"{path}/query", json={"question": "?"}).status_code == 409


def test_withdraw_by_the_owner(importer_api, reviewer_api, declaration_body):
    declaration = _file(importer_api, declaration_body())
    path = f"{URL}/{declaration['id']}"
    assert reviewer_api.post(f"{path}/withdraw", json={}).status_code == 403
    withdrawn = importer_api.post(f"{path}/withdraw", json={"reason": "order cancelled"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert importer_api.post(f"{path}/withdraw").status_code == 409


def test_list_filters_and_pagination(importer_api, reviewer_api, declaration_body):
    _file(importer_api, declaration_body())
    body = declaration_body()
    body["lines"] = [dict(body["lines"][0], hts_code="6505008015", country_of_origin="BD")]
    second = _file(importer_api, body)
    listed = reviewer_api.get(URL).json
    assert listed["total"] == 2 and listed["items"][0]["id"] == second["id"]  # newest first
    assert [d["id"] for d in reviewer_api.get(f"{URL}?hts_chapter=65").json["items"]] == [second["id"]]
    assert [d["id"] for d in reviewer_api.get(f"{URL}?country=BD").json["items"]] == [second["id"]]
    assert reviewer_api.get(f"{URL}?country=HK").json["total"] == 2  # the seller's country
    assert reviewer_api.get(f"{URL}?status=revoked").json["total"] == 0
    org = importer_api.user.organization_id
    assert reviewer_api.get(f"{URL}?organization_id={org}&page_size=1").json["pages"] == 2
    assert reviewer_api.get(f"{URL}?hts_chapter=6").status_code == 422
    assert reviewer_api.get(f"{URL}?hts_chapter=٤٢").status_code == 422  # Arabic-Indic digits are not a chapter


def test_bulk_filing_from_csv_text(importer_api, declaration_body):
    csv_text = ("line_no,description,hts_code,quantity,unit,country_of_origin,intended_marking\n"
                "1,Plain totes,4202.92.3131,500,pcs,CN,none\n2,Plain caps,6505008015,20.5,doz,BD,none\n")
    body = declaration_body(lines=[], lines_csv=csv_text)
    lines = _file(importer_api, body)["lines"]
    assert [(x["line_no"], x["quantity"]) for x in lines] == [(1, "500.000"), (2, "20.500")]


def test_bulk_filing_errors_carry_row_numbers_and_file_nothing(importer_api, declaration_body):
    csv_text = ("description,hts_code,quantity,country_of_origin\n"
                "Plain totes,4202.92.3131,500,CN\nPlain caps,6505,20,BD\nBags,4202923131,0,ZZ\n")
    response = importer_api.post(URL, json=declaration_body(lines=[], lines_csv=csv_text))
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert set(errors) == {"lines_csv.row 3.hts_code", "lines_csv.row 4.quantity",
                           "lines_csv.row 4.country_of_origin"}
    assert importer_api.get(URL).json["total"] == 0


def test_lazy_expiry_on_read(app, importer_api, declaration_body):
    from sqlalchemy import update

    from core.extensions import db
    from program.blanks.models import BlankDeclaration

    declaration = _file(importer_api, declaration_body())
    with app.app_context():
        db.session.execute(update(BlankDeclaration).values(valid_from=today() - timedelta(days=30),
                                                           valid_until=today() - timedelta(days=1)))
        db.session.commit()
    assert importer_api.get(f"{URL}/{declaration['id']}").json["status"] == "expired"
