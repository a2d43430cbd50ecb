"""The release-decision API as API.md writes it: outcomes with reasons, access, idempotency, batch, lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from program.decisions.uei import is_valid_uei
from tests.program.decisions.conftest import (
    EXPEDITED_LINE,
    OTHER_IOR,
    REFERRED_LINE,
    STANDARD_LINE,
)

pytestmark = pytest.mark.usefixtures("zero_sampling")


@pytest.fixture
def zero_sampling(app):
    """No random verification unless a test asks for it."""
    old = app.config["VERIFICATION_SAMPLE_RATE"]
    app.config["VERIFICATION_SAMPLE_RATE"] = 0.0
    yield
    app.config["VERIFICATION_SAMPLE_RATE"] = old


def codes(line):
    return [r["code"] for r in line["reasons"]]


def test_three_lines_expedited_standard_referred(world, entry):
    response = world.importer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE))
    assert response.status_code == 201, response.json
    body = response.json
    assert is_valid_uei(body["uei"])
    assert body["outcome"] == "refer_for_examination"
    assert body["rules_version"]
    assert body["decided_at"]
    lines = {line["line_no"]: line for line in body["lines"]}
    assert lines[1]["outcome"] == "expedited_release" and codes(lines[1]) == []
    assert lines[2]["outcome"] == "standard_processing"
    assert "heightened_protection" in codes(lines[2])
    assert lines[3]["outcome"] == "refer_for_examination"
    assert "lever_label_missing" in codes(lines[3])
    assert all(r["message"] for line in body["lines"] for r in line["reasons"])
    assert "facts_used" not in body  # importers do not see the facts


def test_reviewer_sees_facts_used(world, entry):
    body = world.reviewer.post("/api/v1/release-decisions", json=entry()).json
    assert body["facts_used"]["enrollment_id"] == world.enrollment_id
    assert body["facts_used"]["standard_version_ids"] == [world.version_id]
    again = world.reviewer.get(f"/api/v1/release-decisions/{body['id']}").json
    assert again["lines"] == body["lines"] and again["uei"] == body["uei"]


@pytest.mark.parametrize("who", ["importer", "reviewer"])
def test_created_body_is_what_get_shows(world, entry, who):
    """The POST answer (built without marshmallow) is byte for byte the GET answer (DecisionSchema)."""
    client = getattr(world, who)
    posted = client.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE))
    assert posted.status_code == 201 and posted.mimetype == "application/json"
    shown = client.get(f"/api/v1/release-decisions/{posted.json['id']}")
    assert posted.get_data() == shown.get_data()


@pytest.mark.parametrize(("field", "value"), [
    ("entry_number", "ABC-1234567-5"),
    ("entry_number", "nonsense"),
    ("port_code", "27"),
    ("ior_number", "12345"),
])
def test_bad_entry_fields_are_422_naming_the_field(world, entry, field, value):
    response = world.importer.post("/api/v1/release-decisions", json=entry(**{field: value}))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize(("field", "value"), [
    ("hts_code", "8517.13"), ("quantity", 0), ("quantity", "x"), ("condition", "stolen"),
    ("recordation_number", "21-00123"), ("sector", "spaceships"), ("blank_declaration_id", "BGD-1"),
])
def test_bad_line_fields_are_422_naming_the_field(world, entry, field, value):
    response = world.importer.post("/api/v1/release-decisions", json=entry(dict(EXPEDITED_LINE, **{field: value})))
    assert response.status_code == 422, response.json
    assert f"lines.0.{field}" in response.json["errors"]["json"]


def test_duplicate_line_numbers_and_empty_lines(world, entry):
    dup = world.importer.post("/api/v1/release-decisions", json=entry(EXPEDITED_LINE, EXPEDITED_LINE))
    assert dup.status_code == 422 and "lines" in dup.json["errors"]["json"]
    empty = world.importer.post("/api/v1/release-decisions", json=entry(lines=[]))
    assert empty.status_code == 422 and "lines" in empty.json["errors"]["json"]


def test_importer_only_for_its_own_ior(world, entry, api_as):
    assert world.importer.post("/api/v1/release-decisions", json=entry(ior_number=OTHER_IOR)).status_code == 403
    never_applied = api_as("importer")
    assert never_applied.post("/api/v1/release-decisions", json=entry()).status_code == 403
    # the other importer has only a draft on OTHER_IOR: it may ask, and is not enrolled
    body = world.other_importer.post("/api/v1/release-decisions", json=entry(ior_number=OTHER_IOR)).json
    assert body["outcome"] == "standard_processing"
    assert codes(body["lines"][0])[0] == "not_enrolled"


def test_reviewer_may_ask_for_any_ior(world, entry):
    body = world.reviewer.post("/api/v1/release-decisions", json=entry(ior_number="55-5555555")).json
    assert body["outcome"] == "standard_processing" and "not_enrolled" in codes(body["lines"][0])


@pytest.mark.parametrize("role", ["rights_holder", "industry_group", "admin"])
def test_other_roles_cannot_ask(world, entry, api_as, role):
    assert api_as(role).post("/api/v1/release-decisions", json=entry()).status_code == 403


def test_no_token_is_401(client, world, entry):
    assert client.post("/api/v1/release-decisions", json=entry()).status_code == 401


def test_idempotency_key_replays_and_conflicts(world, entry):
    headers = {"Idempotency-Key": "entry-ABC-1"}
    body = entry()
    first = world.importer.post("/api/v1/release-decisions", json=body, headers=headers)
    second = world.importer.post("/api/v1/release-decisions", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert (second.json["id"], second.json["uei"]) == (first.json["id"], first.json["uei"])
    other = world.importer.post("/api/v1/release-decisions", json=entry(entry_number="999-9999999-0"),
                                headers=headers)
    assert other.status_code == 409
    fresh = world.importer.post("/api/v1/release-decisions", json=entry())
    assert fresh.json["uei"] != first.json["uei"]


def test_blank_line_consumes_and_replay_consumes_nothing(app, world, entry, blank_line):
    headers = {"Idempotency-Key": "blank-1"}
    request = entry(blank_line(30))
    body = world.importer.post("/api/v1/release-decisions", json=request, headers=headers).json
    assert body["lines"][0]["outcome"] == "expedited_release", body
    assert world.importer.post("/api/v1/release-decisions", json=request, headers=headers).status_code == 200
    assert _remaining(app, world) == Decimal(70)
    over = world.importer.post("/api/v1/release-decisions", json=entry(blank_line(71))).json
    assert codes(over["lines"][0]) == ["blank_quantity_exceeded"]
    assert _remaining(app, world) == Decimal(70)


def test_blank_line_consumes_even_when_other_rules_fire(app, world, entry, blank_line):
    line = blank_line(5, sector="pharmaceuticals")
    body = world.importer.post("/api/v1/release-decisions", json=entry(line)).json
    assert codes(body["lines"][0]) == ["heightened_protection", "sector_hts_mismatch"]
    assert _remaining(app, world) == Decimal(95)


def _remaining(app, world) -> Decimal:
    from program.blanks.models import BlankLine

    with app.app_context():
        value = db.session.scalar(select(BlankLine.remaining_quantity).where(BlankLine.id == world.declaration_line_id))
        db.session.remove()
    return Decimal(value)


def test_facts_cache_sees_enrollment_suspension(world, entry):
    assert world.importer.post("/api/v1/release-decisions", json=entry()).json["outcome"] == "expedited_release"
    world.reviewer.post(f"/api/v1/enrollments/{world.enrollment_id}/suspend", json={"reason": "audit"})
    body = world.importer.post("/api/v1/release-decisions", json=entry()).json
    assert "not_enrolled" in codes(body["lines"][0])


def test_random_verification_refers_whole_entry(app, world, entry):
    app.config["VERIFICATION_SAMPLE_RATE"] = 1.0
    body = world.importer.post("/api/v1/release-decisions", json=entry()).json
    assert body["outcome"] == "refer_for_examination"
    assert codes(body["lines"][0]) == ["random_verification"]


def test_batch_keeps_order_and_reports_bad_items(world, entry):
    items = [entry(), {"entry_number": "bad"}, entry(ior_number=OTHER_IOR), entry(STANDARD_LINE)]
    response = world.importer.post("/api/v1/release-decisions/batch", json=items)
    assert response.status_code == 200, response.json
    out = response.json
    assert len(out) == 4
    assert out[0]["outcome"] == "expedited_release"
    assert out[1]["status"] == 422 and "entry_number" in out[1]["errors"]["json"]
    assert out[2]["status"] == 403
    assert out[3]["outcome"] == "standard_processing"
    assert len({out[0]["uei"], out[3]["uei"]}) == 2


def test_batch_limits(world, entry):
    assert world.importer.post("/api/v1/release-decisions/batch", json=[]).status_code == 422
    assert world.importer.post("/api/v1/release-decisions/batch", json=[entry()] * 1001).status_code == 422
    assert world.importer.post("/api/v1/release-decisions/batch", json={"a": 1}).status_code == 422


def test_list_filters_and_tenancy(world, entry):
    world.importer.post("/api/v1/release-decisions", json=entry())
    world.importer.post("/api/v1/release-decisions", json=entry(REFERRED_LINE))
    world.reviewer.post("/api/v1/release-decisions", json=entry(ior_number="55-5555555"))
    mine = world.importer.get("/api/v1/release-decisions").json
    assert mine["total"] == 2
    referred = world.importer.get("/api/v1/release-decisions?outcome=refer_for_examination").json
    assert [d["outcome"] for d in referred["items"]] == ["refer_for_examination"]
    everything = world.reviewer.get("/api/v1/release-decisions").json
    assert everything["total"] == 3
    by_ior = world.reviewer.get("/api/v1/release-decisions?ior_number=55-5555555").json
    assert by_ior["total"] == 1
    assert world.other_importer.get("/api/v1/release-decisions").json["total"] == 0
    some_id = mine["items"][0]["id"]
    assert world.other_importer.get(f"/api/v1/release-decisions/{some_id}").status_code == 404
    assert world.rights.get(f"/api/v1/release-decisions/{some_id}").status_code == 403


def test_every_decision_is_audited(app, world, entry):
    body = world.importer.post("/api/v1/release-decisions", json=entry()).json
    audit = world.reviewer.get(f"/api/v1/audit?entity_type=release_decision&entity_id={body['id']}").json
    items = audit["items"] if isinstance(audit, dict) else audit
    assert items and items[0]["after"]["uei"] == body["uei"]


def test_openapi_documents_the_decision_routes(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"/api/v1/release-decisions", "/api/v1/release-decisions/batch",
            "/api/v1/release-decisions/{decision_id}"} <= set(paths)
    batch = paths["/api/v1/release-decisions/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["items"]["$ref"].split("/")[-1] in spec["components"]["schemas"]
