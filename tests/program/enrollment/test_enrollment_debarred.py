"""The suspended/debarred list: API, reviewer pages, bulk CSV import, and the snapshot helpers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.timeutil import today
from program.decisions.engine import normalize_name
from program.enrollment.debarred import active_debarred, debarred_snapshot
from program.enrollment.models import DebarredParty

ENTRY = {"name": "Shady Imports Ltd", "ior_number": "55-5555555", "reason": "Counterfeit handbags",
         "start_date": "2024-01-01"}


def test_post_answers_201_and_get_lists(reviewer_api):
    response = reviewer_api.post("/api/v1/debarred", json=ENTRY)
    assert response.status_code == 201
    body = response.json
    assert body["name"] == "Shady Imports Ltd" and body["ior_number"] == "55-5555555"
    assert body["start_date"] == "2024-01-01" and body["end_date"] is None and body["active"] is True
    listing = reviewer_api.get("/api/v1/debarred").json
    assert [e["id"] for e in listing["items"]] == [body["id"]] and listing["total"] == 1


@pytest.mark.parametrize("body,field", [
    ({**ENTRY, "ior_number": "12-3456789OZ"}, "ior_number"),
    ({**ENTRY, "name": ""}, "name"),
    ({k: v for k, v in ENTRY.items() if k != "reason"}, "reason"),
    ({k: v for k, v in ENTRY.items() if k != "start_date"}, "start_date"),
    ({**ENTRY, "start_date": "yesterday"}, "start_date"),
    ({**ENTRY, "end_date": "2023-12-31"}, "end_date"),
    ({**ENTRY, "name": "!!!"}, "name"),
])
def test_bad_entries_are_422(reviewer_api, body, field):
    response = reviewer_api.post("/api/v1/debarred", json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"], response.json


def test_the_same_party_twice_is_409(reviewer_api):
    reviewer_api.post("/api/v1/debarred", json=ENTRY)
    response = reviewer_api.post("/api/v1/debarred", json={**ENTRY, "name": "SHADY IMPORTS, LTD."})
    assert response.status_code == 409 and response.json["code"] == "duplicate"


def test_search_and_end(reviewer_api):
    first = reviewer_api.post("/api/v1/debarred", json=ENTRY).json
    reviewer_api.post("/api/v1/debarred", json={**ENTRY, "name": "Gray Harbor Trading", "ior_number": None})
    assert [e["name"] for e in reviewer_api.get("/api/v1/debarred?q=shady").json["items"]] == ["Shady Imports Ltd"]
    assert reviewer_api.get("/api/v1/debarred?q=55-5555555").json["total"] == 1
    ended = reviewer_api.post(f"/api/v1/debarred/{first['id']}/end", json={})
    assert ended.status_code == 200 and ended.json["active"] is False
    assert ended.json["end_date"] == today().isoformat()
    assert reviewer_api.post(f"/api/v1/debarred/{first['id']}/end", json={}).status_code == 409
    assert reviewer_api.get("/api/v1/debarred?active=true").json["total"] == 1
    assert reviewer_api.post("/api/v1/debarred/999/end", json={}).status_code == 404


def test_active_debarred_and_the_engine_snapshot(ctx, make_user, user_model):
    from program.enrollment.debarred import add_debarred, end_debarred

    reviewer = user_model(make_user("reviewer"))
    day = today()
    add_debarred(reviewer, name="Shady Imports Ltd", ior_number="55-5555555", reason="r",
                 start_date=day - timedelta(days=3))
    add_debarred(reviewer, name="Gray Harbor Trading", reason="r", start_date=day)
    add_debarred(reviewer, name="Next Year Co", reason="r", start_date=day + timedelta(days=365))
    gone = add_debarred(reviewer, name="Gone Inc", ior_number="11-1111111", reason="r", start_date=date(2020, 1, 1))
    end_debarred(reviewer, gone)
    assert [p.name for p in active_debarred()] == ["Gray Harbor Trading", "Shady Imports Ltd"]
    assert [p.name for p in active_debarred(day - timedelta(days=1))] == ["Gone Inc", "Shady Imports Ltd"]
    snap = debarred_snapshot(day)
    assert snap.iors == frozenset({"55-5555555"})
    assert snap.names == frozenset({"shady imports", "gray harbor trading"})
    assert normalize_name("SHADY IMPORTS, LTD.") in snap.names


CSV_OK = """name,ior_number,reason,start_date,end_date
Shady Imports Ltd,55-5555555,Counterfeit handbags,2024-01-01,
"Gray Harbor Trading, Inc.",,Penalty case pending,2025-06-01,2027-06-01
"""

CSV_BAD = """name,ior_number,reason,start_date,end_date
Shady Imports Ltd,55-5555555,Counterfeit handbags,2024-01-01,
,12-3456789,No name given,2024-01-01,
Bad Ior Co,12-3456789OI,Letters O and I,2024-01-01,
Bad Date LLC,,Unreadable date,01/02/2024,
Backwards Inc,,Ends before it starts,2024-05-01,2024-04-01
No Reason Ltd,,,2024-01-01,
SHADY IMPORTS LIMITED,55-5555555,Same party again,2024-02-01,
"""


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DebarredParty))


def test_cli_import_loads_every_row(app, runner, tmp_path):
    path = tmp_path / "debarred.csv"
    path.write_text(CSV_OK)
    result = runner.invoke(args=["debarred", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 entries" in result.output
    assert _count(app) == 2
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "debarred")).all()
    assert actions == ["debarred.import", "debarred.import"]


def test_cli_import_reports_each_bad_row_and_saves_nothing(app, runner, tmp_path):
    path = tmp_path / "debarred.csv"
    path.write_text(CSV_BAD)
    result = runner.invoke(args=["debarred", "import", str(path)])
    assert result.exit_code == 1
    output = result.output
    for expected in ("row 3: name:", "row 4: ior_number:", "row 5: start_date:", "row 6: end_date:",
                     "row 7: reason:", "row 8: name: Same party as row 2", "nothing imported: 6 problem(s)"):
        assert expected in output, output
    assert "row 2:" not in output
    assert _count(app) == 0


def test_cli_import_needs_the_columns(runner, tmp_path):
    path = tmp_path / "debarred.csv"
    path.write_text("company,why\nShady,yes\n")
    result = runner.invoke(args=["debarred", "import", str(path)])
    assert result.exit_code == 1 and "Missing column(s): name, reason, start_date" in result.output


def test_cli_import_attributes_rows_to_a_reviewer(app, runner, tmp_path, make_user):
    reviewer = make_user("reviewer")
    path = tmp_path / "debarred.csv"
    path.write_text(CSV_OK)
    assert runner.invoke(args=["debarred", "import", str(path), "--by", reviewer.email]).exit_code == 0
    with app.app_context():
        assert set(db.session.scalars(select(DebarredParty.created_by_id))) == {reviewer.id}
    assert runner.invoke(args=["debarred", "import", str(path), "--by", "nobody@x.example"]).exit_code == 2


def test_reviewer_pages_list_add_and_end(client, login, make_user):
    login(make_user("reviewer"))
    page = client.get("/review/debarred")
    assert page.status_code == 200 and "Add an entry" in page.text
    assert 'id="add-entry" class="usa-accordion__content" hidden' in page.text  # folded until needed
    bad = client.post("/review/debarred", data={"name": "X Co", "reason": "r", "start_date": "2024-01-01",
                                                 "ior_number": "12-3456789ZZ"})
    assert bad.status_code == 422 and "O, I or Z" in bad.text and 'aria-expanded="true"' in bad.text
    added = client.post("/review/debarred", data={"name": "Shady Imports Ltd", "ior_number": "55-5555555",
                                                   "reason": "Counterfeits", "start_date": "2024-01-01"},
                        follow_redirects=True)
    assert added.status_code == 200 and "Shady Imports Ltd" in added.text and "In force" in added.text
    found = client.get("/review/debarred?q=55-5555555")
    assert "Shady Imports Ltd" in found.text
    assert "No entries match" in client.get("/review/debarred?q=nothing-like-it").text
    with client.application.app_context():
        party_id = db.session.scalar(select(DebarredParty.id))
    ended = client.post(f"/review/debarred/{party_id}/end", follow_redirects=True)
    assert "has ended" in ended.text and "Ended" in ended.text


def test_importers_cannot_see_the_list_pages(client, login, make_user):
    login(make_user("importer"))
    assert client.get("/review/debarred").status_code == 403


@pytest.mark.parametrize("role", ["importer", "rights_holder", "industry_group", "admin"])
def test_only_reviewers_may_add_or_end_entries(client, login, make_user, api_as, reviewer_api, role):
    entry = reviewer_api.post("/api/v1/debarred", json=ENTRY).json
    other = api_as(role)
    assert other.post("/api/v1/debarred", json={**ENTRY, "name": "Someone Else"}).status_code == 403
    assert other.post(f"/api/v1/debarred/{entry['id']}/end", json={}).status_code == 403
    login(make_user(role))
    assert client.post(f"/review/debarred/{entry['id']}/end").status_code == 403
    assert client.post("/review/debarred", data={"name": "X Co", "reason": "r", "start_date": "2024-01-01"}
                       ).status_code == 403
    assert reviewer_api.get(f"/api/v1/debarred?q={entry['name']}").json["items"][0]["active"] is True
