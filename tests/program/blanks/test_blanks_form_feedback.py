"""The filing form says what it means: countries chosen from a list (never cut to two letters), numbers as
people type them ("24,000"), and an error summary linking to each field at fault."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from program.blanks.forms import plain_number
from program.blanks.models import BlankLine
from tests.program.blanks.test_blanks_pages import FORM


@pytest.mark.parametrize(("typed", "read"), [
    ("24,000", "24000"), (" 1,250.5 ", "1250.5"), ("1,000,000", "1000000"), ("24000", "24000"),
    ("24,00", "24,00"), ("1,2345", "1,2345"), ("", ""), (None, None),
])
def test_grouped_numbers_are_read_and_others_left_to_the_validator(typed, read):
    assert plain_number(typed) == read


def test_country_is_a_list_of_names_and_24000_is_a_quantity(app, client, login, importer_api):
    login(importer_api.user)
    page = client.get("/blanks/new").text
    assert '<div class="usa-combo-box" data-default-value="">' in page and '<option value="VN">Vietnam</option>' in page
    assert "(ISO code)" not in page
    response = client.post("/blanks/new", data=dict(FORM, **{"lines-0-quantity": "24,000",
                                                             "lines-0-country_of_origin": "VN"}))
    assert response.status_code == 302, response.text
    with app.app_context():
        line = db.session.scalar(select(BlankLine).where(BlankLine.line_no == 1))
        assert (line.quantity, line.country_of_origin) == (Decimal("24000"), "VN")


def test_errors_are_listed_with_links_to_their_fields(client, login, importer_api):
    login(importer_api.user)
    data = dict(FORM, **{"lines-1-hts_code": "4202", "lines-0-quantity": "many", "parties-0-country": "XX"})
    page = client.post("/blanks/new", data=data).text
    summary = page.split('id="form-errors"', 1)[1].split("</ul>", 1)[0]
    assert '<a class="usa-link" href="#lines-1-hts_code">Line 2, HTS code:' in summary
    assert '<a class="usa-link" href="#lines-0-quantity">Line 1, quantity:' in summary
    assert '<a class="usa-link" href="#parties-0-country">Party 1, country:' in summary
    assert "Please fix the fields marked below." not in page
    assert 'data-default-value="BD"' in page  # the countries chosen survive the error
