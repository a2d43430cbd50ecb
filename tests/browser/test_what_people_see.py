"""What people see, page by page: with the demo data, each role's every navigation entry (and the first
record each list links to) is loaded in the session browser, must answer without an HTTP error or a
console error, and is held to three rules —

- axe-core (npm, WCAG 2.1 A/AA) finds no violation, at 1280 px and at 390 px (where USWDS hides and
  shows other parts, a search button's text among them);
- at 390 px (a phone) the document is never wider than the viewport;
- no sector, outcome or audit-action code shows where a name exists (codes shown on purpose sit in
  ``<code>``, like the sector administration's code column).

The journeys' own pages get the same axe check from tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from core.extensions import db
from program.seed import DEMO_PASSWORD, seed_demo
from standards.reference import SECTORS
from tests.browser.conftest import AXE_ON_LOAD, AXE_TAGS, install_axe, sign_in

pytestmark = pytest.mark.browser

ROLES = {
    "admin": "admin@cbp.example.gov",
    "reviewer": "reviewer@cbp.example.gov",
    "importer": "importer@northwind.example",
    "importer (not enrolled)": "importer@eastgate.example",
    "rights holder": "rights@acme-brands.example",
    "industry group": "group@electronics-alliance.example",
}
PUBLIC_PAGES = ("/", "/login", "/register", "/verify", "/standards/catalogue")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OUTCOME_CODES = ("expedited_release", "standard_processing", "refer_for_examination")
ACTION_ENTITIES = ("user", "organization", "enrollment", "debarred", "mark", "sector", "standard", "endorsement",
                   "guide", "blank_declaration", "case", "thread", "api_token")
MACHINE_CODE = re.compile(
    r"(?<![\w@./-])("
    # One-word codes ("pharmaceuticals") are also plain English, free to appear in people's own words.
    + "|".join(code for code, _name, _heightened in SECTORS if "_" in code) + "|" + "|".join(OUTCOME_CODES)
    + r"|(?:" + "|".join(ACTION_ENTITIES) + r")\.[a-z_]+"
    + r")(?![\w@-])"
)

# The visible text of the page, leaving out what is shown as a code on purpose.
PAGE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest("code, kbd, samp, script, style, template, noscript")) {
      parts.push(walker.currentNode.textContent);
    }
  }
  return parts.join(" ");
}"""
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => `${v.id} (${v.help}): ${v.nodes.length} nodes, e.g. ${v.nodes.slice(0, 3)
    .map(n => n.target.join(" ")).join(" | ")}`))"""
# The first record a list links to (a decision, a case, an application …), to check a detail page too.
FIRST_RECORD = """() => {
  const link = document.querySelector("main table tbody a[href^='/'], main .gl-record-link[href^='/']");
  return link ? link.getAttribute("href") : null;
}"""


@pytest.fixture
def demo(app):
    """The demo data every role's pages show (the same as ``flask --app app seed demo``)."""
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()


def _nav_links(page) -> list[str]:
    """The header navigation's links, then Settings."""
    hrefs = page.locator("nav.usa-nav a.usa-nav-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [*dict.fromkeys(h.split("#")[0] for h in hrefs), "/settings"]


def _check(page, url: str, problems: list[str]) -> str | None:
    """Load ``url`` and hold it to the three rules; returns the first record it links to, if any."""
    response = page.goto(url)
    where = urlsplit(page.url).path + (f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else "")
    if response is None or response.status >= 400:
        problems.append(f"{url}: HTTP {response.status if response else 'no response'}")
        return None
    for violation in page.evaluate(RUN_AXE, AXE_TAGS):
        problems.append(f"{where}: axe {violation}")
    overflow = page.evaluate("""() => {
      const inner = document.querySelector('.usa-nav__inner');
      const limit = inner ? inner.getBoundingClientRect().right - parseFloat(getComputedStyle(inner).paddingRight)
                          : Infinity;
      const past = [...document.querySelectorAll('.usa-nav__primary > li > a')]
        .filter(a => a.getBoundingClientRect().right > limit + 1).map(a => a.textContent.trim());
      return {page: document.documentElement.scrollWidth, nav: past};
    }""")
    if overflow["page"] > DESKTOP["width"] or overflow["nav"]:
        problems.append(f"{where}: at 1280 px the page is {overflow['page']} px wide; navigation past its box: "
                        f"{overflow['nav']}")
    shown = sorted({m.group(1) for m in MACHINE_CODE.finditer(page.evaluate(PAGE_TEXT))})
    if shown:
        problems.append(f"{where}: machine codes shown to people: {', '.join(shown)}")
    page.set_viewport_size(PHONE)
    for violation in page.evaluate(RUN_AXE, AXE_TAGS):
        problems.append(f"{where} at 390 px: axe {violation}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate("""(limit) => [...document.querySelectorAll('main *')]
          .filter(e => e.getBoundingClientRect().right > limit + 1).slice(0, 3)
          .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim()
            .split(/\\s+/).join('.') : ''))""", PHONE["width"])
        problems.append(f"{where}: {width} px wide at 390 px ({', '.join(wide)})")
    page.set_viewport_size(DESKTOP)
    return page.evaluate(FIRST_RECORD)


def test_every_navigation_page_of_every_role(browser, live_server, demo):
    """Each role's navigation pages and the first record of each list: 0 axe violations, no page wider
    than a 390 px phone, no machine codes where a name exists."""
    problems: list[str] = []
    checked = 0
    for role, email in {"visitor": None, **ROLES}.items():
        context = browser.new_context(base_url=live_server, viewport=DESKTOP)
        context.set_default_navigation_timeout(30_000)
        install_axe(context, lambda *_: None)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message, out=console: out.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error, out=console: out.append(str(error)))
        try:
            if email:
                sign_in(page, email, DEMO_PASSWORD)
                nav = ["/home", *_nav_links(page)]
            else:
                nav = list(PUBLIC_PAGES)
            queue, seen, found = list(nav), set(), []
            for url in queue:
                if url in seen:
                    continue
                seen.add(url)
                record = _check(page, url, found)
                checked += 1
                if console:
                    found.append(f"{url}: console errors {console[:3]}")
                    console.clear()
                if record and url in nav and record not in seen:
                    queue.append(record)
        finally:
            context.close()
        problems.extend(f"[{role}] {problem}" for problem in found)
    assert checked > 60
    assert not problems, f"{len(problems)} problems on {checked} pages:\n" + "\n".join(problems)


def test_rows_error_links_and_confirmations_keep_people_oriented(page, demo):
    """Script-added rows' Remove buttons say which row they remove and keep focus in the list; an error
    summary's link puts focus on the field; closing a case asks to confirm only once an outcome is chosen."""
    sign_in(page, ROLES["reviewer"], DEMO_PASSWORD)
    page.goto("/decisions/new")
    add = page.get_by_role("button", name="Add another line")
    add.click()
    add.click()
    assert page.get_by_role("button", name="Remove line 3").count() == 1
    page.get_by_role("button", name="Remove line 2").click()
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Remove line 2", focused  # the row that moved up into its place, renumbered
    assert page.get_by_role("button", name="Remove line 3").count() == 0

    page.goto("/review/enrollments/3")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "form-errors"  # announced first
    summary_link = page.locator("#form-errors a").first
    summary_link.click()
    assert page.evaluate("document.activeElement.name") == "action"

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/cases?status=detained")
    page.locator("main table tbody a").first.click()
    page.get_by_role("button", name="Record outcome").click()
    page.wait_for_load_state()
    assert dialogs == []  # nothing chosen: the server names the missing outcome instead
    page.locator("label.usa-radio__label", has_text=re.compile(r"^Seized$")).click()  # USWDS hides the input
    page.get_by_role("button", name="Record outcome").click()
    assert dialogs and dialogs[-1].startswith("Record “Seized” and close the case?")


def test_the_journeys_axe_check_reports_violations(browser, live_server):
    """The check every journey page gets (tests/browser/conftest.py) hears axe-core's findings: a page with
    an unlabelled image and low-contrast text is reported."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    found: list[str] = []
    install_axe(context, lambda url, violations: found.extend(f"{url} {v['id']}" for v in violations))
    context.add_init_script(script=AXE_ON_LOAD % json.dumps(AXE_TAGS))
    page = context.new_page()
    page.route("**/broken", lambda route: route.fulfill(content_type="text/html", body=(
        '<!DOCTYPE html><html lang="en"><title>Broken</title><main><img src="/static/uswds/img/us_flag_small.png">'
        '<p style="color:#aaa;background:#fff">faint</p></main></html>')))
    try:
        page.goto("/broken")
        for _ in range(50):
            if found:
                break
            page.wait_for_timeout(100)
    finally:
        context.close()
    assert "/broken image-alt" in found and "/broken color-contrast" in found, found


def test_a_wrong_file_type_is_named_and_not_sent(page, demo):
    """USWDS empties a file input given the wrong type; the page says which types it takes and keeps the form
    rather than sending it to be told "No file was given"."""
    sign_in(page, "importer@maplestreet.example", DEMO_PASSWORD)
    page.goto("/enrollment/5/documents")
    page.locator("#file").set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"notes"}])
    assert "PDF, JPEG or PNG" in page.locator(".has-invalid-file").inner_text()
    page.get_by_role("button", name="Attach document").click()
    page.wait_for_timeout(300)
    assert page.url.endswith("/enrollment/5/documents")
    assert "No file was given" not in page.content()
    assert page.evaluate("document.activeElement.id") == "file"
