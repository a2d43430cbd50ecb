"""Reviewers see the rights holders' photographic guides for the marks on a case's entry; parties do not."""

from __future__ import annotations

import io

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.accounts.models import User
from core.extensions import db
from standards.models import RecordedMark, Sector
from standards.services.guides import upload_guide
from tests.program.cases.conftest import MARK_A, PNG_BYTES


def _guide(app, owner, *, sector: str, title: str) -> None:
    with app.app_context():
        mark = db.session.scalar(select(RecordedMark).where(RecordedMark.recordation_number == MARK_A))
        for code in ("mobile_devices", "consumer_electronics"):
            if code not in mark.sector_codes:
                mark.sectors.append(db.session.get(Sector, code))
        db.session.flush()
        upload_guide(db.session.get(User, owner.id), mark, sector=sector, title=title,
                     description="Where the serial label sits.",
                     upload=FileStorage(io.BytesIO(PNG_BYTES), filename="guide.png"))
        db.session.commit()
        db.session.remove()


def test_reviewers_see_the_guides_of_the_entrys_marks_own_sector_first(app, client, login, world, open_case):
    case = open_case()  # line 1: MARK_A in mobile_devices
    _guide(app, world.owner_a, sector="consumer_electronics", title="Laptop hologram")
    _guide(app, world.owner_a, sector="mobile_devices", title="Phone serial label")
    login(world.reviewer)
    page = client.get(f"/cases/{case['uei']}").text
    assert "Rights holders’ photographic guides" in page
    phone, laptop = page.index("Phone serial label"), page.index("Laptop hologram")
    assert phone < laptop
    assert "a sector of this entry" in page[phone:laptop]
    assert "another sector" in page[laptop:]


def test_parties_and_admins_do_not_see_guides_on_cases(app, client, login, world, open_case):
    case = open_case()
    _guide(app, world.owner_a, sector="mobile_devices", title="Phone serial label")
    for who in (world.importer, world.owner_a, world.admin):
        login(who)
        page = client.get(f"/cases/{case['uei']}")
        assert page.status_code == 200
        assert "Phone serial label" not in page.text and "photographic guides" not in page.text
        client.post("/logout")


def test_a_case_without_guides_says_so(client, login, world, open_case):
    case = open_case()
    login(world.reviewer)
    assert "have not uploaded photographic guides" in client.get(f"/cases/{case['uei']}").text
