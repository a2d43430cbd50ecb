"""Fixtures for the messages tests: parties of every kind, a reviewer, fake related-object and
contact resolvers (registered for one test and removed after), and helpers to start threads."""

from __future__ import annotations

import io

import pytest

from program.messages import contacts, related
from program.messages.related import RelatedRef
from tests.pdfs import PLAIN_PDF, tiny_png

PDF_BYTES = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)
PNG_BYTES = tiny_png()  # a real picture: stored images are decoded and re-encoded (core.images)
# A Windows executable (MZ header), whatever name it is uploaded under.
EXE_BYTES = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
             + b"This program cannot be run in DOS mode")


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    """A (stream, filename, content type) tuple for the test client's multipart data."""
    return (io.BytesIO(data), name, content_type)


@pytest.fixture
def parties(make_user):
    """One user in each party organisation: the thread's importer, a colleague, and one per other party kind."""
    importer = make_user("importer", org="Thread Party Imports")
    return {
        "importer": importer,
        "colleague": make_user("importer", org="Thread Party Imports"),
        "other_importer": make_user("importer", org="Other Imports LLC"),
        "rights_holder": make_user("rights_holder", org="Brand Owner Corp"),
        "industry_group": make_user("industry_group", org="Resale Alliance"),
    }


@pytest.fixture
def reviewer(make_user):
    """A CBP reviewer."""
    return make_user("reviewer")


@pytest.fixture
def fake_related(parties):
    """Resolvers for ``enrollment`` (owned by the thread's importer), ``standard`` (open to every party) and
    ``case`` (the importer and the rights holder), the real ones put back after the test."""
    importer_org = parties["importer"].organization_id
    rights_org = parties["rights_holder"].organization_id

    def enrollment(related_id: str):
        if related_id == "41":
            return RelatedRef(organization_ids={importer_org}, label="Enrollment 41", url="/enrollments/41")
        return None

    def standard(related_id: str):
        return RelatedRef(None, f"Standard {related_id}") if related_id.startswith("S") else None

    def case(related_id: str):
        return RelatedRef([importer_org, rights_org], f"Case {related_id}") if related_id == "UEI7" else None

    wired = dict(related._RESOLVERS)  # the real resolvers (program.wiring) come back afterwards
    related.register_related("enrollment", enrollment)
    related.register_related("standard", standard)
    related.register_related("case", case)
    yield
    related._RESOLVERS.clear()
    related._RESOLVERS.update(wired)


@pytest.fixture
def fake_contacts(parties):
    """A contact resolver answering for the thread's importer only; records the questions it was asked."""
    importer_org = parties["importer"].organization_id
    book = {"primary": ["primary@party.example"], "enforcement": ["enforce@party.example", "legal@party.example"],
            "ipr": ["ipr@party.example"]}
    asked: list[tuple[int, str]] = []

    def resolver(organization_id: int, purpose: str):
        asked.append((organization_id, purpose))
        return book.get(purpose, []) if organization_id == importer_org else []

    contacts.register_contact_resolver(resolver)
    yield {"book": book, "asked": asked}
    contacts.unregister_contact_resolver(resolver)


@pytest.fixture
def start(api_as):
    """Start a thread through the API as ``who`` (a UserRef); returns the response JSON (asserting 201)."""

    def factory(who, **fields):
        body = {"subject": "A question", "body": "Hello CBP", **fields}
        response = api_as(who).post("/api/v1/threads", json=body)
        assert response.status_code == 201, response.json
        return response.json

    return factory
