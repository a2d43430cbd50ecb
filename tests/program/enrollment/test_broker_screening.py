"""Customs brokers on the bulk screen: a broker's token (or page) screens a CSV for one principal that gave it
``decisions``, exactly as it may ask for single release decisions — 202 for its principal's entries, 403 for
another importer, without the scope or after revocation; lines of other importers in the file are rejected
(``no_delegation``); the audit entries name the principal."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from program.decisions.models import ReleaseDecision, ScreenJob
from program.decisions.screen import INPUT_COLUMNS, OUTPUT_COLUMNS
from tests.program.enrollment.test_enrollment_brokers import _grant

LINE = {"line_no": 1, "description": "Used phones", "hts_code": "8517.13.0000", "quantity": 10, "value_usd": "1000",
        "sector": "mobile_devices", "condition": "used"}
OTHER_IOR = "98-7654321"


def _file(*entries: tuple[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INPUT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for entry_number, ior in entries:
        writer.writerow({"entry_number": entry_number, "port_code": "2704", "ior_number": ior, **LINE})
    return out.getvalue().encode()


def _screen(api, data: bytes, on_behalf_of=None):
    form = {"file": (io.BytesIO(data), "lines.csv")}
    if on_behalf_of is not None:
        form["on_behalf_of"] = str(on_behalf_of)
    return api.post("/api/v1/screening-jobs", data=form, content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def in_process(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def other_importer(api_as, enroll):
    """Another approved importer (IOR 98-7654321) that gave the broker nothing."""
    other = api_as("importer")
    enroll("approved", api=other, ior_number=OTHER_IOR)
    return other


def _result(api, job) -> dict[str, list[str]]:
    """Entry number -> (reasons, uei) of the job's result CSV."""
    response = api.get(job["result_url"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    response.close()
    assert tuple(rows[0]) == OUTPUT_COLUMNS
    at = OUTPUT_COLUMNS.index
    return {r[at("entry_number")]: [r[at("reasons")], r[at("uei")]] for r in rows[1:]}


def test_broker_screens_for_its_principal_and_other_importers_lines_are_refused(
        app, importer_api, broker_api, principal, other_importer):
    principal_org = importer_api.user.organization_id
    data = _file(("ABC-1234567-6", principal["ior_number"]), ("999-9999999-0", OTHER_IOR))
    refused = _screen(broker_api, data, principal_org)
    assert refused.status_code == 403 and refused.json["code"] == "no_delegation"  # no delegation yet
    _grant(importer_api, broker_api, ["decisions"])
    missing = _screen(broker_api, data)
    assert missing.status_code == 422 and "on_behalf_of" in missing.json["errors"]["json"]
    response = _screen(broker_api, data, principal_org)
    assert response.status_code == 202, response.json
    job = response.json
    assert job["status"] == "finished" and job["acting_for_organization_id"] == principal_org
    assert job["summary"]["rejected_entries"] == 1 and job["bad_rows"] == 1
    assert job["errors"] == [{"row": 3, "field": "ior_number", "message":
                              f"Importer of record {OTHER_IOR} is not on an enrollment of the importer you screen for."}]
    result = _result(broker_api, job)
    assert result["999-9999999-0"] == ["no_delegation", ""]
    assert result["ABC-1234567-6"][1]  # decided: a UEI
    assert broker_api.get(f"/api/v1/screening-jobs/{job['id']}").json["status"] == "finished"
    with app.app_context():
        decision = db.session.scalars(select(ReleaseDecision)).one()
        assert decision.ior_number == principal["ior_number"] and decision.organization_id == principal_org
        assert decision.requested_by_id == broker_api.user.id and decision.source == "screen"
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "screen")).one()
        assert entry.actor_id == broker_api.user.id and entry.acting_for_organization_id == principal_org
        assert verify_chain().ok
    # The principal's decision is the principal's: it sees it among its own.
    assert [d["uei"] for d in importer_api.get("/api/v1/release-decisions").json["items"]] == [decision.uei]


def test_another_importer_without_the_scope_and_after_revocation_are_refused(
        app, importer_api, broker_api, principal, other_importer):
    data = _file(("ABC-1234567-6", principal["ior_number"]))
    granted = _grant(importer_api, broker_api, ["enrollment_read", "blank_declarations"])
    assert _screen(broker_api, data, importer_api.user.organization_id).status_code == 403  # not `decisions`
    importer_api.delete(f"/api/v1/delegations/{granted['id']}")
    granted = _grant(importer_api, broker_api, ["decisions"])
    foreign = _screen(broker_api, _file(("ABC-1234567-6", OTHER_IOR)), other_importer.user.organization_id)
    assert foreign.status_code == 403 and foreign.json["code"] == "no_delegation"
    assert _screen(broker_api, data, importer_api.user.organization_id).status_code == 202
    assert importer_api.delete(f"/api/v1/delegations/{granted['id']}").status_code == 200
    after = _screen(broker_api, _file(("999-9999999-0", principal["ior_number"])), importer_api.user.organization_id)
    assert after.status_code == 403 and after.json["code"] == "no_delegation"
    with app.app_context():
        assert db.session.query(ScreenJob).count() == 1


def test_a_revocation_before_the_queued_job_runs_refuses_its_lines(app, importer_api, broker_api, principal,
                                                                   monkeypatch):
    from program.decisions import jobs

    granted = _grant(importer_api, broker_api, ["decisions"])
    monkeypatch.setattr(jobs, "submit", lambda job_id: "rq")  # queued: a worker runs it later
    queued = _screen(broker_api, _file(("ABC-1234567-6", principal["ior_number"])), importer_api.user.organization_id)
    assert queued.status_code == 202 and queued.json["status"] == "queued"
    importer_api.delete(f"/api/v1/delegations/{granted['id']}")
    with app.app_context():
        jobs.run_job(queued.json["id"])
    job = broker_api.get(f"/api/v1/screening-jobs/{queued.json['id']}").json
    assert job["status"] == "finished" and job["summary"]["rejected_entries"] == 1
    assert job["errors"][0]["message"] == "Your organisation no longer holds a decisions delegation from this importer."
    with app.app_context():
        assert db.session.query(ReleaseDecision).count() == 0


def test_jobs_are_seen_by_cbp_and_the_brokers_own_organisation_only(app, importer_api, broker_api, reviewer_api,
                                                                    api_as, principal):
    _grant(importer_api, broker_api, ["decisions"])
    mine = _screen(broker_api, _file(("ABC-1234567-6", principal["ior_number"])), importer_api.user.organization_id)
    cbp = _screen(reviewer_api, _file(("999-9999999-0", principal["ior_number"])))
    assert cbp.status_code == 202 and cbp.json["acting_for_organization_id"] is None
    assert reviewer_api.get(f"/api/v1/screening-jobs/{mine.json['id']}").status_code == 200
    assert broker_api.get(f"/api/v1/screening-jobs/{cbp.json['id']}").status_code == 404
    assert api_as("broker").get(f"/api/v1/screening-jobs/{mine.json['id']}").status_code == 404
    assert importer_api.get(f"/api/v1/screening-jobs/{mine.json['id']}").status_code == 403
    assert _screen(importer_api, _file(("123-1234567-6", principal["ior_number"]))).status_code == 403


def test_broker_screening_page(app, importer_api, broker_api, principal, login, other_importer):
    _grant(importer_api, broker_api, ["decisions"])
    client = login(broker_api.user)
    page = client.get("/review/screening")
    assert page.status_code == 200 and b"Importer you screen for" in page.data
    assert f'value="{importer_api.user.organization_id}"'.encode() in page.data
    assert f'value="{other_importer.user.organization_id}"'.encode() not in page.data
    data = _file(("ABC-1234567-6", principal["ior_number"]))
    foreign = client.post("/review/screening", data={"file": (io.BytesIO(data), "lines.csv"),
                                                     "on_behalf_of": str(other_importer.user.organization_id)},
                          content_type="multipart/form-data")
    assert foreign.status_code == 403 and b"no decisions delegation" in foreign.data
    response = client.post("/review/screening", data={"file": (io.BytesIO(data), "lines.csv"),
                                                      "on_behalf_of": str(importer_api.user.organization_id)},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and b"Download the results" in shown.data


def test_a_revocation_during_the_run_refuses_the_entries_not_yet_decided(app, importer_api, broker_api, principal):
    """The delegation is read in each chunk's transaction: the chunks after the revocation decide nothing."""
    from core.accounts import delegations
    from core.accounts.models import User
    from program.decisions.screen import Screener

    granted = _grant(importer_api, broker_api, ["decisions"])
    numbers = ["ABC-1234567-6", "999-9999999-0", "123-1234567-6"]
    with app.app_context():
        broker = db.session.get(User, broker_api.user.id)
        importer = db.session.get(User, importer_api.user.id)

        revoked = []

        def revoke_after_the_first_chunk(summary) -> None:
            if not revoked:
                revoked.append(delegations.revoke_delegation(importer, granted["id"]))
                db.session.commit()

        out = io.StringIO()
        summary = Screener(job_id=None, actor=broker, acting_for=importer.organization_id, chunk_entries=1,
                           on_progress=revoke_after_the_first_chunk).run(
            io.StringIO(_file(*((n, principal["ior_number"]) for n in numbers)).decode()), out)
        assert sum(summary.entries.values()) == 1 and summary.rejected_entries == 2
        rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
        assert [r[OUTPUT_COLUMNS.index("reasons")] == "no_delegation" for r in rows] == [False, True, True]
        assert db.session.scalars(select(ReleaseDecision.entry_number)).all() == [numbers[0]]


@pytest.mark.parametrize("value", ["554600177384453099905269891072", "2147483648", "-1", "²", "٣"])
def test_an_importer_id_no_organisation_can_have_is_a_clear_422(app, broker_api, login, value):
    """Found by schemathesis: a number beyond any id overflowed the database driver (a 500), and a superscript
    digit passed ``isdigit`` and then failed ``int``. The API answers 422 naming the field; the page a 4xx."""
    data = _file(("ABC-1234567-6", "12-3456789"))
    response = _screen(broker_api, data, value)
    assert response.status_code == 422, response.json
    assert "on_behalf_of" in (response.json["errors"].get("json") or response.json["errors"].get("query"))
    client = login(broker_api.user)
    page = client.post("/review/screening", data={"file": (io.BytesIO(data), "lines.csv"), "on_behalf_of": value},
                       content_type="multipart/form-data")
    big = value.isascii() and int(value) > 2**31 - 1
    assert page.status_code == (422 if big else 400 if value == "²" else 403)  # never a 500 (the form coerces "٣" to 3)
