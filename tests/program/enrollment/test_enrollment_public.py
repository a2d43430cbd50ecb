"""The public register: ``GET /api/v1/public/importers/<program_id>`` and the /verify pages."""

from __future__ import annotations

import pytest


def test_public_lookup_of_a_consenting_approved_importer(client, enroll):
    approved = enroll("approved")
    response = client.get(f"/api/v1/public/importers/{approved['program_id']}")  # no token
    assert response.status_code == 200
    assert response.json == {"legal_name": "Acme Parallel Imports LLC", "status": "approved",
                             "sectors": approved["approved_sectors"], "valid_until": approved["valid_until"]}
    assert client.get(f"/api/v1/public/importers/{approved['program_id'].lower()}").status_code == 200


def test_no_consent_means_404(client, enroll):
    approved = enroll("approved", publish_consent=False)
    assert client.get(f"/api/v1/public/importers/{approved['program_id']}").status_code == 404


@pytest.mark.parametrize("state", ["suspended", "revoked"])
def test_not_approved_means_404(client, enroll, state):
    enrollment = enroll(state)
    assert client.get(f"/api/v1/public/importers/{enrollment['program_id']}").status_code == 404


def test_unknown_program_id_is_404(client):
    response = client.get("/api/v1/public/importers/GL-2026-999999")
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_verify_pages(client, enroll, api_as):
    approved = enroll("approved")
    enroll("approved", api=api_as("importer"), legal_name="Quiet Imports Inc.", ior_number="98-7654321",
           publish_consent=False)
    page = client.get("/verify")
    assert page.status_code == 200 and "Verify a trusted importer" in page.text
    by_id = client.get(f"/verify?q={approved['program_id'].lower()}")
    assert by_id.status_code == 302 and by_id.headers["Location"].endswith(f"/verify/{approved['program_id']}")
    shown = client.get(f"/verify/{approved['program_id']}")
    assert shown.status_code == 200 and "is an approved Greenlane trusted importer" in shown.text
    assert "Mobile phones and tablets" in shown.text and "12-3456789AB" not in shown.text  # no IOR in public
    by_name = client.get("/verify?q=acme")
    assert "Acme Parallel Imports LLC" in by_name.text
    assert "Quiet Imports" not in client.get("/verify?q=quiet").text
    missing = client.get("/verify/GL-2026-000999")
    assert missing.status_code == 404 and "No listing for GL-2026-000999" in missing.text
