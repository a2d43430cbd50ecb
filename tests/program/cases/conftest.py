"""Fixtures for the cases tests: a small world (reviewer, the entry's importer, another importer, two
mark owners, an industry group), release decisions made directly as rows (the decisions services live
on another branch), and helpers to open cases."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from core.extensions import db
from core.timeutil import today, utcnow
from program.decisions.entry_number import make_entry_number
from program.decisions.models import DecisionLine, ReleaseDecision
from program.decisions.uei import new_uei
from standards.models import RecordedMark
from tests.pdfs import PLAIN_PDF
from tests.program.tiers.conftest import tiers as tiers  # noqa: F401 (the reference tiers, for notices by tier)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG_BYTES = _png()
PDF_BYTES = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)
MARK_A, MARK_B = "TMK 21-00123", "TMK 19-04567"


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    """A (stream, filename, content type) tuple for the test client's multipart data."""
    return (io.BytesIO(data), name, content_type)


@dataclass
class World:
    """The parties of the cases tests (UserRefs)."""

    reviewer: object
    importer: object
    colleague: object
    other_importer: object
    owner_a: object
    owner_b: object
    group: object
    admin: object


@pytest.fixture
def world(app, make_user) -> World:
    """Every kind of party, and marks MARK_A (owner_a) and MARK_B (owner_b)."""
    w = World(reviewer=make_user("reviewer"), importer=make_user("importer", org="Entry Imports LLC"),
              colleague=make_user("importer", org="Entry Imports LLC"),
              other_importer=make_user("importer", org="Other Imports LLC"),
              owner_a=make_user("rights_holder", org="Mark A Brands"),
              owner_b=make_user("rights_holder", org="Mark B Brands"),
              group=make_user("industry_group", org="Resale Alliance"), admin=make_user("admin"))
    with app.app_context():
        db.session.add_all([
            RecordedMark(recordation_number=MARK_A, mark="LUMEN", owner_organization_id=w.owner_a.organization_id),
            RecordedMark(recordation_number=MARK_B, mark="ACME", owner_organization_id=w.owner_b.organization_id)])
        db.session.commit()
        db.session.remove()
    return w


@pytest.fixture
def make_decision(app, world):
    """Factory: a release decision row for the world's importer (two lines: MARK_A, MARK_B); returns (id, uei)."""

    serials = itertools.count(1_234_567)

    def factory(*, organization_id: int | None = -1, outcome: str = "refer_for_examination",
                decided_at: datetime | None = None, lines=None, ior: str = "12-3456789AB", port: str = "2704",
                one_row: bool | None = None):
        """``one_row``: keep a one-line entry's line in the decision's row, as every writer does since migration
        0016 (the default for one line); False keeps it as a line row, as decisions stored before have it."""
        org = world.importer.organization_id if organization_id == -1 else organization_id
        entry_number = make_entry_number("ABC", next(serials))  # one live decision per entry number
        lines = lines or [("Smartphones X2", "8517130000", 240, "71880.00", "mobile_devices", MARK_A),
                          ("Leather tote bags", "4202210000", 60, "5400.00", "handbags_accessories", MARK_B)]
        with app.app_context():
            decision = ReleaseDecision(
                uei=new_uei(), entry_number=entry_number, port_code=port, ior_number=ior, organization_id=org,
                source="api", outcome=outcome, rules_version="test", facts_used={}, line_count=len(lines),
                decided_at=decided_at or utcnow() - timedelta(days=30))
            made = [DecisionLine(
                line_no=n, description=desc, hts_code=hts, quantity=Decimal(qty), value_usd=Decimal(value),
                sector=sector, condition="new_parallel", recordation_number=mark, outcome=outcome, reasons=[])
                for n, (desc, hts, qty, value, sector, mark) in enumerate(lines, start=1)]
            if one_row is False:
                decision.stored_lines = made
            else:
                decision.lines = made
            db.session.add(decision)
            db.session.commit()
            result = (decision.id, decision.uei)
            db.session.remove()
        return result

    return factory


@pytest.fixture
def reviewer_api(api_as, world):
    """The reviewer's API client."""
    return api_as(world.reviewer)


@pytest.fixture
def open_case(reviewer_api, make_decision):
    """Factory: detain a fresh decision through the API; returns the case JSON."""

    def factory(notice_date: date | None = None, **decision_kwargs):
        decision_id, _uei = make_decision(**decision_kwargs)
        notice = notice_date or (today() - timedelta(days=3))
        response = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain",
                                                            "notice_date": notice.isoformat(),
                                                            "country_of_origin": "CN"})
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def put_on_tier(app, world, tiers):
    """Put an organisation (a ``UserRef``) on a service tier by its code, as an admin would."""
    from core.accounts.models import User
    from core.extensions import db
    from program.tiers import services as tiers_service

    def put(who, code: str) -> None:
        with app.app_context():
            tiers_service.set_tier(db.session.get(User, world.admin.id), who.organization_id, code)
            db.session.commit()

    return put
