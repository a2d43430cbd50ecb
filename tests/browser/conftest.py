"""Browser harness: the app served on a free loopback port in a thread, driven by Debian's Chromium
through Python Playwright (never a downloaded browser). One browser per test session; a fresh
context (cookies) per test. Screenshots go to ``screenshots/`` (git-ignored)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# npm's axe-core, read from node_modules (installed by `make assets`), never from a CDN.
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA: the rules every page must pass.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Run by every page the journeys load: axe-core's WCAG 2.1 A/AA rules, violations reported to the test.
AXE_ON_LOAD = """
window.addEventListener("load", function () {
  if (!window.axe || window.top !== window) { return; }
  window.axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
    .then(function (result) {
      var found = result.violations.map(function (v) {
        return {id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); })};
      });
      window.__glAxeReport(location.pathname + location.search, found);
    })
    .catch(function () { /* the page navigated away mid-run; its successor is checked instead */ });
});
"""
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]

pytestmark = pytest.mark.browser


def _closing(wsgi_app):
    """Close every response iterable as soon as it is exhausted (or its wrapper is collected).

    Werkzeug's dev server skips ``close()`` when the browser has already dropped the connection, which
    leaves static files open until garbage collection and fails a random later test with an
    unraisable ResourceWarning (``filterwarnings = error``).
    """

    def app(environ, start_response):
        iterable = wsgi_app(environ, start_response)
        try:
            yield from iterable
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return app


@pytest.fixture(scope="session")
def live_server(app, test_config) -> Iterator[str]:
    """Serve a second app on the test database, with CSRF on as in production, on 127.0.0.1 and a free port."""
    from app import create_app

    served = create_app({**test_config, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, _closing(served), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with served.app_context():
            from core.extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, _actions_after_load():
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


# Locator actions a test takes on a page; each waits for its element, then for that page's load event.
LOADED_ACTIONS = ("click", "fill", "clear", "check", "uncheck", "select_option", "set_input_files", "press")


@contextmanager
def _actions_after_load() -> Iterator[None]:
    """Make every locator action wait for its document's ``load`` event before it acts.

    Playwright acts as soon as an element exists. On CI's two busy cores that can be while the page is still
    parsing: before USWDS's script at the end of the body has enhanced the form (its file inputs, combo
    boxes, menus) or the error summary has taken focus, so a click lands on a page no person ever sees
    (CI once pressed "Send" on a form whose submission then never left the browser). Waiting for the element
    first means a click that follows a navigation waits for the *new* document's load, not the old one's."""
    from playwright.sync_api import Locator

    originals = {name: getattr(Locator, name) for name in LOADED_ACTIONS}

    def after_load(action):
        @functools.wraps(action)
        def act(self, *args, **kwargs):
            timeout = kwargs.get("timeout")
            self.wait_for(state="attached", timeout=timeout)
            self.page.wait_for_load_state("load", timeout=timeout)
            return action(self, *args, **kwargs)
        return act

    for name, action in originals.items():
        setattr(Locator, name, after_load(action))
    try:
        yield
    finally:
        for name, action in originals.items():
            setattr(Locator, name, action)


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh browser context and page whose relative URLs resolve against the live server (CSRF on)."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # Page loads wait for every image, font and stylesheet: on CI's two busy cores that can exceed the
    # action timeout, so navigations get longer (a missing element still fails fast).
    context.set_default_navigation_timeout(30_000)
    violations: list[str] = []
    install_axe(context, lambda url, found: violations.extend(f"{url}: {v['id']} ({v['help']}) at {v['nodes']}"
                                                               for v in found))
    context.add_init_script(script=AXE_ON_LOAD % json.dumps(AXE_TAGS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not violations, "Accessibility (axe-core, WCAG 2.1 A/AA) violations:\n" + "\n".join(violations)


def install_axe(context, report) -> None:
    """Load npm's axe-core into every document of ``context``; ``report(url, violations)`` hears its results."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (npm ci) to install axe-core")
    context.expose_binding("__glAxeReport", lambda _source, url, found: report(url, found))
    context.add_init_script(path=str(AXE_JS))


@pytest.fixture
def shot():
    """Save a full-page screenshot: ``shot(page, "01-landing")``."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")


def sign_out(page) -> None:
    """Sign out with the header button."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")


def confirm_registration(page, app, email: str) -> None:
    """After registering: open the confirmation link e-mailed to ``email`` and confirm (lands on /home)."""
    import re as _re

    from sqlalchemy import select

    from core.extensions import db
    from core.notifications import OutboxMessage

    page.wait_for_url("**/register/sent")
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    link = _re.search(r"https?://\S+/register/confirm/\S+", body or "")
    assert link, f"no confirmation link e-mailed to {email}"
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url("**/home")
