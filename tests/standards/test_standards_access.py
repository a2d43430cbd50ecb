"""Who may call what: every standards route × an allowed role and the refused roles (API and web).

A last test checks that every route of the standards blueprints appears in this table and carries a
permission, so a new route cannot ship without its authorisation test.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.extensions import db
from standards.lookups import live_decisions
from standards.services import sectors as sector_services
from tests.conftest import ApiClient
from tests.standards.conftest import REQUIREMENTS, png_bytes

STANDARD = {"sector": "consumer_electronics", "title": "New standard", "conditions": ["used"],
            "requirements": REQUIREMENTS}
FORM = {"sector": "consumer_electronics", "title": "Edited", "conditions": ["used"],
        "requirements-0-code": "R1", "requirements-0-text": "Bought from an authorised channel."}


@dataclass(frozen=True)
class Case:
    """One route: the role that may call it (and the status it then gets) and roles that may not."""

    method: str
    path: str
    allowed: str
    status: int
    refused: tuple[str, ...] = ()
    body: Any = None
    multipart: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _mark_body(ids):
    return {"recordation_number": "TMK 23-00001", "mark": "NEW", "owner_organization_id": ids["rights_org"],
            "lever_rule": False, "sectors": []}


def _web_mark_body(ids):
    return {"recordation_number": "TMK 23-00001", "mark": "NEW", "owner_organization_id": ids["rights_org"]}


def _guide_body(_ids):
    return {"sector": "consumer_electronics", "title": "Label",
            "file": (io.BytesIO(png_bytes((50, 50))), "g.png")}


CASES = [
    # --- JSON API ---
    Case("GET", "/api/v1/sectors", "importer", 200, ("anon",)),
    Case("POST", "/api/v1/marks", "reviewer", 201, ("anon", "rights", "group", "importer", "admin"),
         _mark_body),
    Case("GET", "/api/v1/marks", "importer", 200, ("anon",)),
    Case("GET", "/api/v1/marks/{m}", "group", 200, ("anon",)),
    Case("GET", "/api/v1/public/standards", "anon", 200),
    Case("POST", "/api/v1/standards", "group", 201, ("anon", "importer", "admin"), STANDARD),
    Case("GET", "/api/v1/standards", "importer", 200, ("anon",)),
    Case("GET", "/api/v1/standards/{pub}", "importer", 200, ("anon",)),
    Case("GET", "/api/v1/standards/{d}", "group", 200, ("anon", "other_group", "reviewer", "rights")),
    Case("PATCH", "/api/v1/standards/{d}", "group", 200, ("anon", "importer", "other_group"), {"title": "x"}),
    Case("POST", "/api/v1/standards/{d}/propose", "group", 200,
         ("anon", "importer", "other_group", "reviewer")),
    Case("POST", "/api/v1/standards/{p}/withdraw", "group", 200,
         ("anon", "importer", "other_group", "rights"), {"reason": "x"}),
    Case("POST", "/api/v1/standards/{pe}/publish", "reviewer", 200, ("anon", "group", "rights", "admin")),
    Case("POST", "/api/v1/standards/{pub}/revise", "group", 201,
         ("anon", "importer", "other_group", "reviewer")),
    Case("POST", "/api/v1/standards/{p}/endorsements", "rights", 201,
         ("anon", "group", "reviewer", "importer", "other_rights"),
         {"marks": ["TMK 21-00123"], "statement": "ok"}),
    Case("POST", "/api/v1/standards/{p}/declines", "rights", 201, ("anon", "group", "reviewer", "importer"),
         {"reason": "no"}),
    Case("DELETE", "/api/v1/standards/{pe}/endorsements/{e}", "rights", 200,
         ("anon", "other_rights", "group", "importer")),
    # --- web pages ---
    Case("GET", "/standards", "importer", 200, ("anon",)),
    Case("GET", "/standards/catalogue", "anon", 200),
    Case("GET", "/standards/new", "group", 200, ("anon", "importer", "admin")),
    Case("POST", "/standards/new", "group", 302, ("anon", "importer", "admin"), FORM),
    Case("GET", "/standards/{pub}", "importer", 200, ("anon",)),
    Case("GET", "/standards/{d}", "group", 200, ("anon", "other_group", "reviewer")),
    Case("GET", "/standards/{d}/edit", "group", 200, ("anon", "importer", "other_group")),
    Case("POST", "/standards/{d}/edit", "group", 302, ("anon", "importer", "other_group"), FORM),
    Case("POST", "/standards/{d}/propose", "group", 302, ("anon", "importer", "other_group")),
    Case("POST", "/standards/{p}/withdraw", "group", 302, ("anon", "importer", "other_group"),
         {"reason": "x"}),
    Case("POST", "/standards/{pe}/publish", "reviewer", 302, ("anon", "group", "rights", "admin")),
    Case("POST", "/standards/{pub}/revise", "group", 302, ("anon", "importer", "other_group")),
    Case("POST", "/standards/{p}/endorse", "rights", 302, ("anon", "group", "reviewer", "importer"),
         {"marks": ["TMK 21-00123"], "statement": "ok"}),
    Case("POST", "/standards/{p}/decline", "rights", 302, ("anon", "group", "reviewer", "importer"),
         {"reason": "no"}),
    Case("POST", "/standards/{pe}/decisions/{e}/withdraw", "rights", 302,
         ("anon", "other_rights", "group", "importer")),
    Case("GET", "/standards/{c2}/compare", "importer", 200, ("anon",)),
    Case("GET", "/marks", "importer", 200, ("anon",)),
    Case("GET", "/marks/new", "reviewer", 200, ("anon", "rights", "group", "admin")),
    Case("POST", "/marks/new", "reviewer", 302, ("anon", "rights", "admin"), _web_mark_body),
    Case("GET", "/marks/{m}", "importer", 200, ("anon",)),
    Case("GET", "/marks/{m}/edit", "reviewer", 200, ("anon", "rights", "importer")),
    Case("POST", "/marks/{m}/edit", "reviewer", 302, ("anon", "rights", "admin"), {"mark": "LUMEN 2"}),
    Case("POST", "/marks/{m}/guides", "rights", 302,
         ("anon", "other_rights", "importer", "group", "reviewer"), _guide_body, multipart=True),
    Case("GET", "/guides/{g}/file", "reviewer", 200, ("anon", "importer", "group", "admin", "other_rights")),
    Case("GET", "/guides/{g}/thumbnail", "rights", 200, ("anon", "importer", "group")),
    Case("POST", "/guides/{g}/remove", "rights", 302, ("anon", "reviewer", "other_rights", "importer")),
    Case("GET", "/admin/sectors", "admin", 200, ("anon", "reviewer", "importer")),
    Case("POST", "/admin/sectors", "admin", 302, ("anon", "reviewer"),
         {"code": "bicycles", "name": "Bicycles"}),
    Case("GET", "/admin/sectors/toys_games", "admin", 200, ("anon", "reviewer", "rights")),
    Case("POST", "/admin/sectors/toys_games", "admin", 302, ("anon", "reviewer"), {"name": "Toys"}),
    Case("POST", "/admin/sectors/toys_games/delete", "admin", 302, ("anon", "reviewer", "group")),
]


def _params():
    for case in CASES:
        yield pytest.param(case, case.allowed, True, id=f"{case.method} {case.path} {case.allowed} allowed")
        for role in case.refused:
            yield pytest.param(case, role, False, id=f"{case.method} {case.path} {role} refused")


@pytest.fixture
def ids(world, app) -> dict[str, Any]:
    """One object in every state the routes act on."""
    m = world.mark("TMK 21-00123", sectors=["consumer_electronics"])
    c1 = world.version("published", endorse=["TMK 21-00123"], title="Compared")
    pe = world.version("proposed", endorse=["TMK 21-00123"], sector="mobile_devices")
    found = {
        "m": m, "d": world.version("draft"), "p": world.version("proposed", sector="home_appliances"),
        "pe": pe, "pub": world.version("published", endorse=["TMK 21-00123"], sector="computers_networking"),
        "c2": world.revise(c1, title="Compared, revised"), "g": world.guide(m),
        "rights_org": world.rights.organization_id,
    }
    world.act(found["c2"], "propose", world.group)  # compared versions everyone may see
    found["e"] = world.run(lambda: live_decisions(pe, world.rights.organization_id)[0].id)
    return found


def _call(case: Case, who: str, world, ids, app, token_for):
    path = case.path.format(**ids)
    body = case.body(ids) if callable(case.body) else case.body
    client = app.test_client()
    if case.is_api:
        api = ApiClient(client, None if who == "anon" else token_for(world.by_role(who)))
        kwargs = {"json": body} if body is not None else {}
        return getattr(api, case.method.lower())(path, **kwargs)
    if who != "anon":
        user = world.by_role(who)
        assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    kwargs = {}
    if body is not None:
        kwargs["data"] = body
        if case.multipart:
            kwargs["content_type"] = "multipart/form-data"
    return getattr(client, case.method.lower())(path, **kwargs)


@pytest.mark.parametrize(("case", "who", "allowed"), list(_params()))
def test_access(case, who, allowed, world, ids, app, token_for):
    response = _call(case, who, world, ids, app, token_for)
    response.close()
    if allowed:
        assert response.status_code == case.status, response.get_data(as_text=True)[:500]
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]
    elif who == "anon":
        if case.is_api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        # 404 where existence must not leak (another organisation's draft, another's guide)
        assert response.status_code in (403, 404), response.status_code


def test_every_standards_route_is_in_the_table_and_carries_a_permission(app, ids):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for case in CASES:
        endpoint, _args = adapter.match(case.path.format(**ids), method=case.method)
        covered.add(endpoint)
    blueprints = {"standards", "marks", "sectors", "standards_api", "standard_versions_api"}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in blueprints}
    assert routes - covered == set()
    for endpoint in routes:
        view = app.view_functions[endpoint]
        assert getattr(view, "required_permission", None), endpoint


def test_unused_sector_helper_matches_the_table(app):
    """The delete case above relies on toys_games being unused in a fresh world."""
    with app.app_context():
        assert sector_services.sector_usage("toys_games") == {}
        db.session.remove()
