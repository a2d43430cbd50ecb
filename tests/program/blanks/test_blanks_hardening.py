"""Bulk filing's CSV text is bounded: over 2 MB → 413 before it is parsed; a field over the CSV parser's
limit (131,072 characters) → 422 naming the row, never a 500."""

from __future__ import annotations

URL = "/api/v1/blank-declarations"
HEADER = "line_no,description,hts_code,quantity,unit,country_of_origin,intended_marking\n"


def test_csv_text_over_2_mb_is_413(importer_api, declaration_body):
    csv_text = HEADER + "1,Plain totes,4202.92.3131,500,pcs,CN,none\n" * 60_000
    assert len(csv_text) > 2 * 1024 * 1024
    response = importer_api.post(URL, json=declaration_body(lines=[], lines_csv=csv_text))
    assert response.status_code == 413
    assert "lines_csv" in response.json["errors"]["json"]


def test_a_csv_field_over_the_parser_limit_is_422_naming_the_row(importer_api, declaration_body):
    csv_text = HEADER + "1,Plain totes,4202.92.3131,500,pcs,CN,none\n" + '2,"' + "x" * 140_000 + '",4202.92.3131,1,pcs,CN,none\n'
    response = importer_api.post(URL, json=declaration_body(lines=[], lines_csv=csv_text))
    assert response.status_code == 422, response.json
    assert "Row 3" in response.json["errors"]["json"]["lines_csv"][0]
    assert importer_api.get(URL).json["total"] == 0
