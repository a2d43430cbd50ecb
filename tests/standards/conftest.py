"""Factories for the standards tests: users of every role, marks, and versions in any state, made
through the real services (so the audit chain and the constraints are exercised too)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from core.accounts.models import User
from core.extensions import db
from standards.models import StandardVersion
from standards.services import endorsements, guides, marks, versions
from tests.pdfs import PLAIN_PDF

REQUIREMENTS = [
    {"code": "R1", "text": "Bought from an authorised distributor.", "evidence": "Invoice"},
    {"code": "R2", "text": "Serial numbers checked against the registry.", "evidence": "Registry report"},
    {"code": "R3", "text": "Graded A, B or C.", "evidence": ""},
]


def png_bytes(size: tuple[int, int] = (800, 600), colour: str = "navy") -> bytes:
    """A real PNG image."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


PDF_BYTES = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)


class World:
    """Users of every role plus helpers that build marks and versions through the services."""

    def __init__(self, app, make_user):
        self.app = app
        self.reviewer = make_user("reviewer")
        self.admin = make_user("admin")
        self.group = make_user("industry_group", org="Electronics Resale Alliance")
        self.other_group = make_user("industry_group", org="Fashion Resale Council")
        self.rights = make_user("rights_holder", org="Lumen Electronics Inc.")
        self.other_rights = make_user("rights_holder", org="Acme Brands Corporation")
        self.importer = make_user("importer", org="Northwind Trading LLC")

    def by_role(self, name: str):
        """The UserRef called ``name`` (e.g. "rights", "other_group")."""
        return getattr(self, name)

    def run(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in an app context and commit."""
        with self.app.app_context():
            result = fn()
            db.session.commit()
            db.session.remove()
        return result

    @staticmethod
    def user(ref) -> User:
        """The User row behind a UserRef (inside an app context)."""
        return db.session.get(User, ref.id)

    def mark(self, number: str = "TMK 21-00123", owner=None, sectors=("consumer_electronics",),
             lever_rule: bool = False, text: str = "LUMEN") -> int:
        """Register a mark (by the reviewer) and return its id."""
        owner = owner or self.rights

        def make():
            return marks.register_mark(self.user(self.reviewer), recordation_number=number, mark=text,
                                       owner_organization_id=owner.organization_id, lever_rule=lever_rule,
                                       sectors=list(sectors)).id
        return self.run(make)

    def version(self, status: str = "draft", *, author=None, sector: str = "consumer_electronics",
                conditions=("used", "refurbished"), requirements=None, endorse: list[str] | None = None,
                endorser=None, title: str = "Used consumer electronics") -> int:
        """A version in ``status`` (published ones need ``endorse``: recordation numbers of the endorser)."""
        author = author or self.group
        requirements = REQUIREMENTS if requirements is None else requirements

        def make():
            actor = self.user(author)
            v = versions.create_standard(actor, sector=sector, title=title, conditions=list(conditions),
                                         requirements=requirements)
            if status == "withdrawn":
                versions.withdraw_version(actor, v, "No longer needed.")
            if status in ("proposed", "published"):
                versions.propose_version(actor, v)
            if endorse:
                endorsements.endorse_version(self.user(endorser or self.rights), v, marks=endorse,
                                             statement="We endorse this.")
            if status == "published":
                versions.publish_version(self.user(self.reviewer), v)
            return v.id
        return self.run(make)

    def endorse(self, version_id: int, numbers: list[str], who=None) -> int:
        """Endorse a version; returns the endorsement id."""
        def make():
            v = db.session.get(StandardVersion, version_id)
            return endorsements.endorse_version(self.user(who or self.rights), v, marks=numbers,
                                                statement="We endorse this.").id
        return self.run(make)

    def revise(self, version_id: int, who=None, **changes: Any) -> int:
        """Revise a version (by its author) and optionally edit the new draft; returns the draft's id."""
        def make():
            actor = self.user(who or self.group)
            draft = versions.revise_version(actor, db.session.get(StandardVersion, version_id))
            if changes:
                versions.update_draft(actor, draft, **changes)
            return draft.id
        return self.run(make)

    def act(self, version_id: int, verb: str, who) -> None:
        """propose / publish / withdraw a version through its service."""
        def make():
            v = db.session.get(StandardVersion, version_id)
            getattr(versions, f"{verb}_version")(self.user(who), v)
        self.run(make)

    def guide(self, mark_id: int, sector: str = "consumer_electronics", data: bytes | None = None,
              filename: str = "guide.png", who=None) -> int:
        """Upload a guide (by the mark's owner) and return its id."""
        def make():
            from standards.models import RecordedMark

            mark = db.session.get(RecordedMark, mark_id)
            upload = FileStorage(stream=io.BytesIO(data or png_bytes()), filename=filename)
            return guides.upload_guide(self.user(who or self.rights), mark, sector=sector,
                                       title="Label position", description="Back of the device.",
                                       upload=upload).id
        return self.run(make)

    def get(self, version_id: int) -> dict[str, Any]:
        """A version's status and key columns, read fresh."""
        def read():
            v = db.session.get(StandardVersion, version_id)
            return {"status": v.status, "version": v.version, "standard_id": v.standard_id,
                    "superseded_by_id": v.superseded_by_id, "published_at": v.published_at}
        return self.run(read)


@pytest.fixture
def world(app, make_user) -> World:
    """Users of every role (two industry groups, two rights holders) and builders for marks and versions."""
    return World(app, make_user)


@pytest.fixture
def web_as(app):
    """Factory: a fresh test client signed in (through the login form) as ``user``."""

    def factory(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302 and response.headers["Location"].endswith("/home")
        return client

    return factory
