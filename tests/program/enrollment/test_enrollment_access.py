"""Tenant isolation: another importer, a rights holder (and anyone without a token) never reach an
enrollment that is not theirs — 404 where existence must not leak, 403 where the role can never act."""

from __future__ import annotations

import io

import pytest

from tests.pdfs import PLAIN_PDF

PDF = PLAIN_PDF  # a real PDF: uploads parse PDFs (core.pdf)

# (method, path template, body) of every API route that takes an enrollment id.
API_ROUTES = [
    ("get", "/api/v1/enrollments/{id}", None),
    ("patch", "/api/v1/enrollments/{id}", {"dba_name": "Hijack"}),
    ("post", "/api/v1/enrollments/{id}/submit", None),
    ("post", "/api/v1/enrollments/{id}/withdraw", {}),
    ("post", "/api/v1/enrollments/{id}/decision", {"action": "approve", "reason": "x"}),
    ("post", "/api/v1/enrollments/{id}/suspend", {"reason": "x"}),
    ("post", "/api/v1/enrollments/{id}/reinstate", {"reason": "x"}),
    ("post", "/api/v1/enrollments/{id}/revoke", {"reason": "x"}),
    ("get", "/api/v1/enrollments/{id}/documents", None),
    ("post", "/api/v1/enrollments/{id}/documents", "upload"),
    ("get", "/api/v1/enrollments/{id}/documents/{doc}", None),
    ("delete", "/api/v1/enrollments/{id}/documents/{doc}", None),
]
REVIEWER_ONLY = {"decision", "suspend", "reinstate", "revoke"}


def _call(api, method, template, body, ids):
    path = template.format(**ids)
    if body == "upload":
        return api.post(path, data={"kind": "other", "file": (io.BytesIO(PDF), "x.pdf")},
                        content_type="multipart/form-data")
    return getattr(api, method)(path, json=body) if body is not None else getattr(api, method)(path)


@pytest.fixture
def victim(importer_api, enroll):
    """A draft with one document, owned by ``importer_api``'s organisation."""
    draft = enroll("draft")
    doc = importer_api.post(f"/api/v1/enrollments/{draft['id']}/documents",
                            data={"kind": "other", "file": (io.BytesIO(PDF), "secret.pdf")},
                            content_type="multipart/form-data").json
    return {"id": draft["id"], "doc": doc["id"], "version": importer_api.get(
        f"/api/v1/enrollments/{draft['id']}").json["version"]}


@pytest.mark.parametrize("method,template,body", API_ROUTES, ids=[f"{m} {t}" for m, t, _ in API_ROUTES])
@pytest.mark.parametrize("intruder", ["importer", "rights_holder", "industry_group"])
def test_api_routes_refuse_other_organisations(api_as, importer_api, victim, method, template, body, intruder):
    response = _call(api_as(intruder), method, template, body, victim)
    action = template.rsplit("/", 1)[-1]
    if method == "get" and action == "{doc}":
        assert response.status_code == 404  # documents: the owner and CBP only, 404 for anyone else
    elif intruder == "importer" and action not in REVIEWER_ONLY:
        assert response.status_code == 404, response.json  # never learn the enrollment exists
    else:
        assert response.status_code in (403, 404), response.json
        if intruder != "importer":
            assert response.status_code == 403  # the role can never do this
    after = importer_api.get(f"/api/v1/enrollments/{victim['id']}").json
    assert after["version"] == victim["version"] and after["status"] == "draft"
    assert after["dba_name"] == "" and len(after["documents"]) == 1


@pytest.mark.parametrize("method,template,body", API_ROUTES, ids=[f"{m} {t}" for m, t, _ in API_ROUTES])
def test_api_routes_need_a_token(client, victim, method, template, body):
    from tests.conftest import ApiClient

    response = _call(ApiClient(client, None), method, template, body, victim)
    assert response.status_code == 401


@pytest.mark.parametrize("method,template,body", [r for r in API_ROUTES if r[1].rsplit("/", 1)[-1] in
                                                  ("{id}", "submit", "withdraw") and r[0] != "get"])
def test_reviewers_cannot_act_for_the_importer(reviewer_api, victim, method, template, body):
    assert _call(reviewer_api, method, template, body, victim).status_code == 403


@pytest.mark.parametrize("role,method,path,status", [
    ("rights_holder", "post", "/api/v1/enrollments", 403),
    ("industry_group", "post", "/api/v1/enrollments", 403),
    ("reviewer", "post", "/api/v1/enrollments", 403),
    ("admin", "post", "/api/v1/enrollments", 403),
    ("rights_holder", "get", "/api/v1/enrollments", 403),
    ("rights_holder", "post", "/api/v1/enrollments/renew", 403),
    ("importer", "post", "/api/v1/debarred", 403),
    ("importer", "get", "/api/v1/debarred", 403),
    ("rights_holder", "get", "/api/v1/debarred", 403),
    ("admin", "get", "/api/v1/enrollments", 200),
])
def test_roles_that_can_never_do_it_get_403(api_as, role, method, path, status):
    api = api_as(role)
    response = getattr(api, method)(path, json={}) if method == "post" else api.get(path)
    assert response.status_code == status


def test_admin_reads_but_cannot_decide(api_as, victim):
    admin = api_as("admin")
    assert admin.get(f"/api/v1/enrollments/{victim['id']}").status_code == 200
    assert admin.post(f"/api/v1/enrollments/{victim['id']}/decision",
                      json={"action": "deny", "reason": "x"}).status_code == 403


def test_unknown_enrollment_is_404_for_everyone(reviewer_api, importer_api):
    assert reviewer_api.get("/api/v1/enrollments/999999").status_code == 404
    assert importer_api.get("/api/v1/enrollments/999999").status_code == 404


def test_colleagues_of_the_same_organisation_share_the_enrollment(api_as, make_user, importer_api, victim):
    colleague = make_user("importer", org=_org_name(importer_api))
    api = api_as(colleague)
    assert api.get(f"/api/v1/enrollments/{victim['id']}").status_code == 200
    assert api.patch(f"/api/v1/enrollments/{victim['id']}", json={"dba_name": "Ours"}).status_code == 200


def _org_name(api):
    return api.get("/api/v1/me").json["organization"]["name"]


# --- web pages --------------------------------------------------------------------------------------

WEB_ROUTES = [
    ("get", "/enrollment/{id}"),
    ("get", "/enrollment/{id}/identity"),
    ("post", "/enrollment/{id}/identity"),
    ("get", "/enrollment/{id}/review"),
    ("post", "/enrollment/{id}/withdraw"),
    ("get", "/enrollment/{id}/documents/{doc}"),
    ("post", "/enrollment/{id}/documents/{doc}/remove"),
    ("get", "/review/enrollments/{id}"),
    ("post", "/review/enrollments/{id}/decision"),
    ("post", "/review/enrollments/{id}/lifecycle"),
]


@pytest.mark.parametrize("method,template", WEB_ROUTES, ids=[f"{m} {t}" for m, t in WEB_ROUTES])
@pytest.mark.parametrize("intruder", ["importer", "rights_holder"])
def test_pages_refuse_other_organisations(client, make_user, login, victim, method, template, intruder):
    login(make_user(intruder))
    path = template.format(**victim)
    response = client.get(path) if method == "get" else client.post(path, data={"reason": "x"})
    expected = 404 if intruder == "importer" and not template.startswith("/review") else 403
    if template.endswith("{doc}"):
        expected = 404  # documents: the owner and CBP only, 404 for anyone else
    assert response.status_code == expected


def test_pages_send_anonymous_visitors_to_sign_in(client, victim):
    response = client.get(f"/enrollment/{victim['id']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cbp_downloads_documents_on_the_web(client, make_user, login, victim):
    login(make_user("reviewer"))
    response = client.get(f"/enrollment/{victim['id']}/documents/{victim['doc']}")
    assert response.status_code == 200 and response.data == PDF
    response.close()
