"""An importer with no enrollment (so no IOR number) is not offered a decision form with an empty IOR list."""

from __future__ import annotations


def test_unenrolled_importer_is_told_to_enroll_first(client, login, make_user):
    importer = make_user("importer", org="Eastgate Imports Ltd")
    login(importer)
    listing = client.get("/decisions").text
    assert "Request a release decision" not in listing
    page = client.get("/decisions/new")
    assert page.status_code == 403 and "An enrollment is needed first" in page.text
    assert 'name="ior_choice"' not in page.text


def test_cbp_staff_still_get_the_form(client, login, make_user):
    login(make_user("reviewer"))
    page = client.get("/decisions/new")
    assert page.status_code == 200 and 'name="ior_number"' in page.text
