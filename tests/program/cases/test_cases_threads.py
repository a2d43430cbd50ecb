"""Cases ↔ messages wiring: who may hold a confidential thread about a case."""

from __future__ import annotations

from tests.program.cases.conftest import MARK_A


def _thread(api, case, **extra):
    return api.post("/api/v1/threads", json={"subject": "About the detention", "body": "Details follow.",
                                             "related_type": "case", "related_id": case["uei"], **extra})


def test_the_importer_and_the_mark_owners_may_discuss_a_case_others_may_not(api_as, world, open_case, reviewer_api):
    case = open_case()
    for party in (world.importer, world.owner_a, world.owner_b):  # owner_a and owner_b each own a mark on a line
        created = _thread(api_as(party), case)
        assert created.status_code == 201, created.json
        assert created.json["related_label"].startswith("Case ")
    for outsider in (world.other_importer, world.group):
        refused = _thread(api_as(outsider), case)
        assert refused.status_code in (403, 422)
        if refused.status_code == 422:
            assert "related_id" in refused.json["errors"]["json"]
    # CBP may open a thread about the case with a mark owner, not with an unrelated organisation.
    assert _thread(reviewer_api, case, organization_id=world.owner_a.organization_id).status_code == 201
    refused = _thread(reviewer_api, case, organization_id=world.other_importer.organization_id)
    assert refused.status_code == 422 and "related_id" in refused.json["errors"]["json"]


def test_a_mark_owner_with_no_mark_on_the_entry_may_not(api_as, world, open_case):
    case = open_case(lines=[("Smartphones X2", "8517130000", 240, "71880.00", "mobile_devices", MARK_A)])
    assert _thread(api_as(world.owner_a), case).status_code == 201
    refused = _thread(api_as(world.owner_b), case)
    assert refused.status_code == 422 and "related_id" in refused.json["errors"]["json"]
