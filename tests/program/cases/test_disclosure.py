"""19 CFR 133.21 / 133.25 disclosure, table-tested: every party × stage × field of ``policy.present``,
the unredacted-disclosure gate (409 before the window, allowed after it or after an insufficient
response, importer told), samples under bond, the seizure disclosure, and the owner's notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from core.notifications import OutboxMessage
from core.timeutil import today
from program.cases import policy
from program.cases.deadlines import add_business_days, seizure_disclosure_due
from tests.program.cases.conftest import PNG_BYTES, upload

ALL_FIELDS = sorted(set().union(*(policy.fields_for(p, s) for p in policy.PARTIES for s in policy.STAGES)))
NEVER_FOR_OWNER = {"entry", "responded_on", "insufficient_on", "images_count", "created_by", "line_nos"}


@pytest.mark.parametrize("party", policy.PARTIES)
@pytest.mark.parametrize("stage", policy.STAGES)
@pytest.mark.parametrize("field", ALL_FIELDS)
def test_disclosure_table(party, stage, field):
    """The one table: what each party sees at each stage."""
    visible = field in policy.fields_for(party, stage)
    if party == policy.CBP:
        expected = field not in policy.OWNER_FIELDS and (field not in policy.SEIZURE_FIELDS or stage == policy.SEIZED)
    elif party == policy.IMPORTER:
        expected = field not in policy.OWNER_FIELDS | policy.SEIZURE_FIELDS | {"created_by"}
    else:
        expected = field not in NEVER_FOR_OWNER and (field not in policy.SEIZURE_FIELDS or stage == policy.SEIZED)
    assert visible is expected


def _post(api, uei, **body):
    return api.post(f"/api/v1/cases/{uei}/events", json=body)


def _image(reviewer_api, uei, *, redacted: bool, lines: str, caption: str):
    response = reviewer_api.post(f"/api/v1/cases/{uei}/images", data={
        "file": upload(PNG_BYTES, "p.png"), "redacted": "true" if redacted else "false", "line_nos": lines,
        "caption": caption, "codes": f"SN {caption}"}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json


@pytest.fixture
def staged(reviewer_api, open_case):
    """A counterfeit case noticed 20 days ago (so its 7-business-day window has passed), with a redacted and an
    unredacted image of line 1 (MARK_A) and an unredacted one of line 2 (MARK_B)."""
    case = open_case(notice_date=today() - timedelta(days=20))
    _image(reviewer_api, case["uei"], redacted=True, lines="1", caption="A redacted")
    _image(reviewer_api, case["uei"], redacted=False, lines="1", caption="A unredacted")
    _image(reviewer_api, case["uei"], redacted=False, lines="2", caption="B unredacted")
    return case


def _captions(api, uei):
    body = api.get(f"/api/v1/cases/{uei}").json
    return {i["caption"] for i in body["images"]}, body


def test_stages_end_to_end_for_each_party(app, api_as, world, reviewer_api, staged):
    uei = staged["uei"]
    importer, owner_a, owner_b = api_as(world.importer), api_as(world.owner_a), api_as(world.owner_b)
    everything = {"A redacted", "A unredacted", "B unredacted"}
    # Notice: the owner has its line's five facts and the notice, no images; the importer has every image.
    seen, body = _captions(owner_a, uei)
    assert seen == set()
    assert set(body) == policy.fields_for(policy.RIGHTS_HOLDER, policy.NOTICE)
    assert [line["line_no"] for line in body["lines"]] == [1]
    assert _captions(importer, uei)[0] == everything
    # Redacted share: only the redacted image of its own line.
    assert _post(reviewer_api, uei, type="images_shared_rights_holder").status_code == 201
    assert _captions(owner_a, uei)[0] == {"A redacted"}
    assert _captions(owner_a, uei)[1]["images"][0]["codes"] == ""  # codes go with unredacted images only
    assert {i["codes"] for i in _captions(importer, uei)[1]["images"]} == {f"SN {c}" for c in everything}
    assert _captions(owner_b, uei)[0] == set()
    # The window passed without a response: unredacted images may go; the importer is told.
    response = _post(reviewer_api, uei, type="unredacted_disclosed")
    assert response.status_code == 201, response.json
    assert _captions(owner_a, uei)[0] == {"A redacted", "A unredacted"}
    assert {i["caption"]: i["codes"] for i in _captions(owner_a, uei)[1]["images"]} == {
        "A redacted": "", "A unredacted": "SN A unredacted"}
    assert _captions(owner_b, uei)[0] == {"B unredacted"}
    with app.app_context():
        told = {m.recipient for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "case.unredacted_disclosed"))}
    assert told == {world.importer.email, world.colleague.email}  # the importer organisation's users
    # Seizure: the owner gets the seizure disclosure and its due date; never the importer's IOR number.
    seized = _post(reviewer_api, uei, type="seized", manufacturer={"name": "Shenzhen Lumen Works", "address": "Bao'an"},
                   exporter={"name": "Pearl River Export Co", "address": "Guangzhou"})
    assert seized.status_code == 201, seized.json
    _seen, body = _captions(owner_a, uei)
    assert set(body) == policy.fields_for(policy.RIGHTS_HOLDER, policy.SEIZED)
    assert body["seizure_disclosure"]["importer"]["name"] == "Entry Imports LLC"
    assert body["seizure_disclosure"]["manufacturer"] == {"name": "Shenzhen Lumen Works", "address": "Bao'an"}
    assert body["seizure_disclosure"]["exporter"]["name"] == "Pearl River Export Co"
    assert body["seizure_disclosure_due"] == seizure_disclosure_due(today()).isoformat()
    assert "12-3456789AB" not in json.dumps(body)
    assert "seizure_disclosure" not in importer.get(f"/api/v1/cases/{uei}").json


def test_unredacted_before_the_window_is_409_then_allowed_after_insufficient(api_as, world, reviewer_api, open_case):
    case = open_case(notice_date=today())
    uei = case["uei"]
    early = _post(reviewer_api, uei, type="unredacted_disclosed")
    assert early.status_code == 409 and early.json["code"] == "disclosure_not_permitted"
    assert _post(reviewer_api, uei, type="importer_response_insufficient").json["code"] == "no_importer_response"
    assert _post(api_as(world.importer), uei, type="importer_response", note="Bought from the maker.").status_code == 201
    answered = _post(reviewer_api, uei, type="unredacted_disclosed")
    assert answered.status_code == 409 and answered.json["code"] == "disclosure_not_permitted"
    assert _post(reviewer_api, uei, type="importer_response_insufficient",
                 note="No invoice chain.").status_code == 201
    allowed = _post(reviewer_api, uei, type="unredacted_disclosed")
    assert allowed.status_code == 201, allowed.json
    assert allowed.json["unredacted_disclosed_on"] == today().isoformat()


@pytest.mark.parametrize("basis", ["gray_market", "copying_simulating"])
def test_unredacted_only_for_suspected_counterfeits(reviewer_api, make_decision, basis):
    decision_id, _ = make_decision()
    case = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain", "basis": basis,
                                                    "notice_date": (today() - timedelta(days=20)).isoformat()}).json
    refused = _post(reviewer_api, case["uei"], type="unredacted_disclosed")
    assert refused.status_code == 409 and refused.json["code"] == "disclosure_not_permitted"


def test_a_response_within_the_window_keeps_unredacted_closed(clock, api_as, world, reviewer_api, open_case):
    notice = today() - timedelta(days=3)
    case = open_case(notice_date=notice)
    _post(api_as(world.importer), case["uei"], type="importer_response", note="Genuine.")
    clock.move_to(datetime.combine(add_business_days(notice, 9), datetime.min.time(), tzinfo=UTC) + timedelta(hours=15))
    refused = _post(reviewer_api, case["uei"], type="unredacted_disclosed")
    assert refused.status_code == 409 and refused.json["code"] == "disclosure_not_permitted"


def test_sample_needs_a_bond(reviewer_api, open_case, api_as, world):
    uei = open_case()["uei"]
    missing = _post(reviewer_api, uei, type="sample_released", note="One unit")
    assert missing.status_code == 422 and "bond_reference" in missing.json["errors"]["json"]
    ok = _post(reviewer_api, uei, type="sample_released", note="One unit", bond_reference="BOND-2026-0042")
    assert ok.status_code == 201 and ok.json["event"]["bond_reference"] == "BOND-2026-0042"
    owner_events = api_as(world.owner_a).get(f"/api/v1/cases/{uei}").json["events"]
    assert "sample_released" in [e["type"] for e in owner_events]


def test_importer_sees_an_authentication_not_its_notes_or_staff(api_as, world, open_case):
    uei = open_case()["uei"]
    _post(api_as(world.owner_a), uei, type="rights_holder_authentication", note="Fake hologram; checked by J. Smith")
    events = api_as(world.importer).get(f"/api/v1/cases/{uei}").json["events"]
    auth = next(e for e in events if e["type"] == "rights_holder_authentication")
    assert auth["by"] == "Rights holder" and auth["note"] == "" and auth["actor"] == "" and auth["files"] == []
    assert world.owner_a.email not in json.dumps(events) and "hologram" not in json.dumps(events)


def _owner_notices(app) -> dict[str, OutboxMessage]:
    with app.app_context():
        return {m.recipient: m for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "case.owner_notice"))}


def _put_on_tier(app, world, owner, code: str) -> None:
    from core.accounts.models import User
    from program.tiers import services as tiers_service

    with app.app_context():
        tiers_service.set_tier(db.session.get(User, world.admin.id), owner.organization_id, code)
        db.session.commit()


def test_owner_on_a_paid_tier_is_emailed_at_the_notice_with_the_limited_purpose_notice(app, world, tiers,
                                                                                       open_case):
    _put_on_tier(app, world, world.owner_a, "standard")
    _put_on_tier(app, world, world.owner_b, "premium")
    open_case()
    owner_mail = _owner_notices(app)
    assert set(owner_mail) == {world.owner_a.email, world.owner_b.email}
    assert "Trade Secrets Act" in owner_mail[world.owner_a.email].body
    assert "12-3456789AB" not in owner_mail[world.owner_a.email].body


def test_owner_on_the_free_tier_is_not_emailed_but_sees_the_detention(app, client, login, api_as, world, tiers,
                                                                      open_case):
    """E-mailed detention notices are a paid feature; the limited 133.21 facts stay free on the web and API."""
    _put_on_tier(app, world, world.owner_a, "standard")
    _put_on_tier(app, world, world.owner_b, "free")
    case = open_case()
    assert set(_owner_notices(app)) == {world.owner_a.email}
    with app.app_context():
        importer_mail = db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.topic == "case.detain")).all()
    assert world.importer.email in importer_mail  # the importer's notice is never gated
    seen = api_as(world.owner_b).get(f"/api/v1/cases/{case['uei']}")
    assert seen.status_code == 200
    assert [g["description"] for g in seen.json["goods"]] == ["Leather tote bags"]
    assert seen.json["port_code"] == "2704" and seen.json["country_of_origin"] == "CN"
    assert "Trade Secrets Act" in seen.json["disclosure_notice"]
    page = login(world.owner_b).get(f"/cases/{case['uei']}")
    assert page.status_code == 200 and "Leather tote bags" in page.text and "Trade Secrets Act" in page.text
    assert "12-3456789AB" not in page.text
    dashboard = client.get("/dashboard")
    assert case["uei_display"] in dashboard.text


def test_owner_without_any_tier_row_is_on_the_free_tier_for_notices(app, world, tiers, open_case):
    open_case()
    assert _owner_notices(app) == {}


def test_detained_lines_decide_the_owners(api_as, world, reviewer_api, make_decision):
    decision_id, _ = make_decision()
    case = reviewer_api.post("/api/v1/cases", json={"decision_id": decision_id, "action": "detain", "line_nos": [2],
                                                    "notice_date": today().isoformat()}).json
    assert case["line_nos"] == [2]
    assert api_as(world.owner_a).get(f"/api/v1/cases/{case['uei']}").status_code == 404
    assert api_as(world.owner_a).get("/api/v1/cases").json["total"] == 0
    assert [g["line_no"] for g in api_as(world.owner_b).get(f"/api/v1/cases/{case['uei']}").json["goods"]] == [2]
