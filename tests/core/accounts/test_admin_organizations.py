"""Organisation administration: the list (filters, search, user counts, constant queries), renaming with an
audit entry, validation, access by role and CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.accounts import services as accounts
from core.accounts.models import Organization, User
from core.audit import AuditEntry
from core.extensions import db

ROLES = ("importer", "rights_holder", "industry_group", "reviewer", "admin")


def _org(app, name: str) -> Organization:
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == name))
        db.session.expunge(org)
        return org


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _rows(page: str) -> list[str]:
    """The text of each body row of the page's table, tags stripped and spaces collapsed."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def test_list_shows_kind_user_counts_and_links(app, client, make_user, login):
    first = make_user("importer", org="Northwind Trading LLC")
    make_user("importer", org="Northwind Trading LLC")
    make_user("rights_holder", org="Acme Brands Corporation")
    admin = make_user("admin")
    with app.app_context():
        accounts.update_user(db.session.get(User, admin.id), db.session.get(User, first.id), active=False)
        db.session.commit()
    login(admin)
    response = client.get("/admin/organizations")
    assert response.status_code == 200
    rows = _rows(response.text)
    assert rows[0].startswith("Acme Brands Corporation Rights holder 1 / 1 ")
    assert rows[1].startswith("Northwind Trading LLC Importer 1 / 2 ")
    assert rows[2].startswith("U.S. Customs and Border Protection CBP 1 / 1 ")
    assert f'href="/admin/organizations/{first.organization_id}"' in response.text
    assert "3 in all." in response.text


def test_list_filters_by_kind_and_searches_by_name(client, make_user, login):
    make_user("importer", org="Zebra Imports")
    make_user("importer", org="Yak Imports")
    make_user("rights_holder", org="Zebra Brands")
    make_user("industry_group", org="100% Resale Alliance")
    login(make_user("admin"))
    names = lambda page: [row.split(" Importer ")[0].split(" Rights holder ")[0] for row in _rows(page)]  # noqa: E731
    page = client.get("/admin/organizations?kind=importer").text
    assert names(page) == ["Yak Imports", "Zebra Imports"]
    assert '<option value="importer" selected>Importer</option>' in page
    assert names(client.get("/admin/organizations?q=ZEBRA").text) == ["Zebra Brands", "Zebra Imports"]
    assert names(client.get("/admin/organizations?q=zebra&kind=rights_holder").text) == ["Zebra Brands"]
    # LIKE wildcards in the search are taken literally
    assert [r.split(" Industry")[0] for r in _rows(client.get("/admin/organizations?q=0%25").text)] == [
        "100% Resale Alliance"]
    assert _rows(client.get("/admin/organizations?q=nothing-like-it").text) == ["No organisations match."]
    # an unknown kind is ignored rather than matching nothing
    assert len(_rows(client.get("/admin/organizations?kind=bogus").text)) == 5


def test_list_paginates(client, make_user, login):
    for n in range(3):
        make_user("importer", org=f"Importer {n}")
    login(make_user("admin"))
    page = client.get("/admin/organizations?page_size=2&page=2").text
    assert [row.split(" ")[0:2] for row in _rows(page)] == [["Importer", "2"], ["U.S.", "Customs"]]
    assert "Page 2 of 2" in page and "4 in all." in page


def _count_queries(sql_log, client, path: str) -> int:
    with sql_log() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_list_costs_the_same_queries_whatever_the_page_size(sql_log, client, make_user, login):
    for n in range(12):
        make_user("importer", org=f"Importer {n:02d}")
        make_user("importer", org=f"Importer {n:02d}")
    login(make_user("admin"))
    small = _count_queries(sql_log, client, "/admin/organizations?page_size=1")
    large = _count_queries(sql_log, client, "/admin/organizations?page_size=50")
    assert small == large
    assert len(_rows(client.get("/admin/organizations?page_size=50").text)) == 13  # 12 importers and CBP


def test_organisation_page_lists_its_users_with_links(client, make_user, login):
    importer = make_user("importer", org="Harbor Refurb Inc.", email="a@harbor.example")
    make_user("importer", org="Harbor Refurb Inc.", email="b@harbor.example")
    make_user("importer", org="Someone Else", email="c@else.example")
    login(make_user("admin"))
    page = client.get(f"/admin/organizations/{importer.organization_id}").text
    assert "a@harbor.example" in page and "b@harbor.example" in page and "c@else.example" not in page
    assert f'href="/admin/users/{importer.id}"' in page
    assert "<h1 class=\"margin-top-4\">Harbor Refurb Inc.</h1>" in page


def test_users_list_links_to_each_users_organisation(client, make_user, login):
    importer = make_user("importer", org="Linked Imports")
    login(make_user("admin"))
    page = client.get("/admin/users").text
    assert f'href="/admin/organizations/{importer.organization_id}">Linked Imports</a>' in page


def test_unknown_organisation_is_404(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/admin/organizations/999999").status_code == 404


def test_rename_trims_saves_and_audits_before_and_after(app, client, make_user, login):
    importer = make_user("importer", org="Old Name LLC")
    admin = make_user("admin")
    login(admin)
    response = client.post(f"/admin/organizations/{importer.organization_id}", data={"name": "  New Name LLC  "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/organizations/{importer.organization_id}")
    with app.app_context():
        assert db.session.get(Organization, importer.organization_id).name == "New Name LLC"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organization.rename"))
        assert entry.entity_type == "organization" and entry.entity_id == str(importer.organization_id)
        assert entry.actor == admin.email
        assert entry.before == {"id": importer.organization_id, "name": "Old Name LLC", "kind": "importer"}
        assert entry.after == {"id": importer.organization_id, "name": "New Name LLC", "kind": "importer"}
    assert "New Name LLC" in client.get(f"/admin/organizations/{importer.organization_id}").text


def test_saving_the_same_name_writes_no_audit_entry(app, client, make_user, login):
    importer = make_user("importer", org="Same Name LLC")
    login(make_user("admin"))
    before = _audit_actions(app)
    response = client.post(f"/admin/organizations/{importer.organization_id}", data={"name": "Same Name LLC"})
    assert response.status_code == 302
    assert _audit_actions(app) == before


def test_a_change_of_letter_case_only_is_allowed(app, client, make_user, login):
    importer = make_user("importer", org="acme imports")
    login(make_user("admin"))
    response = client.post(f"/admin/organizations/{importer.organization_id}", data={"name": "ACME Imports"})
    assert response.status_code == 302
    assert _org(app, "ACME Imports").id == importer.organization_id


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter the organisation&#39;s name."), ("   ", "Enter the organisation&#39;s name."),
     ("x" * 201, "Use at most 200 characters.")],
    ids=["empty", "spaces", "too-long"],
)
def test_bad_names_are_refused_inline_and_nothing_is_written(app, client, make_user, login, name, message):
    importer = make_user("importer", org="Keep This Name")
    login(make_user("admin"))
    before = _audit_actions(app)
    response = client.post(f"/admin/organizations/{importer.organization_id}", data={"name": name})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _org(app, "Keep This Name").id == importer.organization_id
    assert _audit_actions(app) == before


def test_a_name_of_exactly_the_column_length_is_accepted(app, client, make_user, login):
    importer = make_user("importer", org="Short")
    login(make_user("admin"))
    name = "y" * accounts.ORG_NAME_MAX
    assert client.post(f"/admin/organizations/{importer.organization_id}", data={"name": name}).status_code == 302
    assert _org(app, name).id == importer.organization_id


@pytest.mark.parametrize("other_kind", ["importer", "rights_holder"])
def test_another_organisations_name_is_refused_whatever_its_kind_or_case(app, client, make_user, login,
                                                                        other_kind):
    """As at registration, organisation names are unique across kinds and letter case (and the column is
    unique in the database)."""
    make_user(other_kind, org="Taken Name Inc")
    importer = make_user("importer", org="Free Name Inc")
    login(make_user("admin"))
    before = _audit_actions(app)
    response = client.post(f"/admin/organizations/{importer.organization_id}", data={"name": "taken name inc"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and "Another organisation already has this name." in response.text
    assert _org(app, "Free Name Inc").id == importer.organization_id
    assert _audit_actions(app) == before


def test_rename_service_refuses_bad_names_without_the_form(ctx, make_user):
    importer = make_user("importer", org="Service Co")
    organization = db.session.get(Organization, importer.organization_id)
    for bad in (None, "  ", "z" * (accounts.ORG_NAME_MAX + 1)):
        with pytest.raises(accounts.ValidationFailed) as caught:
            accounts.rename_organization(None, organization, bad)
        assert "name" in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "organization.rename")) == 0


def test_a_name_taken_by_a_concurrent_rename_is_refused_by_the_database(ctx, make_user, monkeypatch):
    make_user("importer", org="Raced Name")
    importer = make_user("importer", org="Slow Co")
    organization = db.session.get(Organization, importer.organization_id)
    # As if the other rename committed between this one's uniqueness check and its flush.
    monkeypatch.setattr(db.session, "scalar", lambda *_args, **_kwargs: None)
    with pytest.raises(accounts.ValidationFailed) as caught:
        accounts.rename_organization(None, organization, "Raced Name")
    assert caught.value.fields == {"name": ["Another organisation already has this name."]}
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.get(Organization, importer.organization_id).name == "Slow Co"


# (method, path) of every organisation page; {org} is an existing organisation's id.
ROUTES = [("get", "/admin/organizations"), ("get", "/admin/organizations/{org}"),
          ("post", "/admin/organizations/{org}")]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_only_admins_may_use_the_pages(app, client, make_user, login, method, path, role):
    target = make_user("importer", org="Target Org")
    login(make_user(role))
    response = getattr(client, method)(path.format(org=target.organization_id),
                                       data={"name": "Hijacked"} if method == "post" else None)
    if role == "admin":
        assert response.status_code == (302 if method == "post" else 200)
    else:
        assert response.status_code == 403
        assert _org(app, "Target Org").id == target.organization_id


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_anonymous_visitors_are_sent_to_login(app, client, make_user, method, path):
    target = make_user("importer", org="Target Org")
    response = getattr(client, method)(path.format(org=target.organization_id),
                                       data={"name": "Hijacked"} if method == "post" else None)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert _org(app, "Target Org").id == target.organization_id


def test_navigation_shows_organisations_to_admins_only(client, make_user, login):
    login(make_user("reviewer"))
    assert 'href="/admin/organizations"' not in client.get("/home").text
    client.post("/logout")
    login(make_user("admin"))
    assert 'href="/admin/organizations"' in client.get("/home").text


def test_rename_requires_the_csrf_token(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        target = make_user("importer", org="Guarded Org")
        admin = make_user("admin")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": admin.email, "password": admin.password, "csrf_token": token})
        path = f"/admin/organizations/{target.organization_id}"
        assert client.post(path, data={"name": "Forged Name"}).status_code == 400
        assert _org(app, "Guarded Org").id == target.organization_id
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text).group(1)
        assert client.post(path, data={"name": "Real Name", "csrf_token": token}).status_code == 302
        assert _org(app, "Real Name").id == target.organization_id
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
