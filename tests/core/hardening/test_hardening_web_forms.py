"""Every form a signed-in person can reach takes hostile values without a server error, as each role, on the demo
data: the pages are found by following links from the home page, each form (filters and searches too) is sent a few
times with half its fields set to values that broke pages before (numbers beyond any id, digits ``int`` refuses or misreads, NUL,
dates that do not exist, long text). Bounded: at most PAGES pages and a wall-clock budget per role; a fixed seed.

What it found when first run: a guide picture refused on the page grew its own error list without end (one request
took a worker's memory), and ids read with ``str.isdigit`` then ``int`` (500s on messages, cases and guides)."""

from __future__ import annotations

import random
import time
import traceback
from html.parser import HTMLParser

import pytest

from core.extensions import db
from program.seed import DEMO_PASSWORD, seed_demo

HOSTILE = ("554600177384453099905269891072", "-99999999999999999999", "2147483648", "²", "٣", "", " ", "x" * 5000,
           "1e400", "NaN", "-1", "0", "2026-02-30", "99999-12-31", "<script>", "a\x00b", "1.5", "true", "[]")
LOGINS = ("admin@cbp.example.gov", "reviewer@cbp.example.gov", "importer@northwind.example", "rights@lumen.example",
          "group@electronics-alliance.example", "broker@harborline.example")
PAGES = 150
SENDS_PER_FORM = 4
BUDGET_SECONDS = 90
SKIP = ("logout", "sign-out")


class _Page(HTMLParser):
    """The same-site links of a page and its forms (method, action and the fields' names and values)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: set[str] = set()
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        href = a.get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("/static"):
            self.links.add(href.split("#")[0])
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}, "method": (a.get("method") or "get").lower()}
            self.forms.append(self._form)
        if self._form is not None and tag in ("input", "select", "textarea") and a.get("name") \
                and a.get("type") not in ("submit", "file"):
            self._form["fields"].setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _call(failures: list[str], label: str, send) -> object | None:
    try:
        response = send()
    except Exception as exc:  # noqa: BLE001 (TESTING propagates what would be a 500)
        failures.append(f"{label}: {type(exc).__name__}: {exc} {''.join(traceback.format_tb(exc.__traceback__)[-2:])}")
        return None
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")
    return response


@pytest.mark.parametrize("email", LOGINS)
def test_every_reachable_form_takes_hostile_values_without_a_server_error(app, client, email):
    with app.app_context():
        seed_demo()
        db.session.commit()
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    rng = random.Random(email)
    deadline = time.monotonic() + BUDGET_SECONDS
    seen: set[str] = set()
    queue = ["/"]
    failures: list[str] = []
    sent = 0
    while queue and time.monotonic() < deadline:
        path = queue.pop(0)
        if path in seen or any(word in path for word in SKIP):
            continue
        seen.add(path)
        page = _call(failures, f"GET {path}", lambda path=path: client.get(path))
        if page is None:
            continue
        html = page.get_data(as_text=True) if "text/html" in page.content_type else ""
        page.close()
        parsed = _Page()
        parsed.feed(html)
        queue.extend(link for link in sorted(parsed.links) if link not in seen and len(seen) + len(queue) < PAGES)
        for form in parsed.forms:
            action, names = form["action"] or path, sorted(form["fields"])
            if not names or any(word in action for word in SKIP):
                continue
            for _ in range(SENDS_PER_FORM):
                data = dict(form["fields"])
                for name in rng.sample(names, k=max(1, len(names) // 2)):
                    data[name] = rng.choice(HOSTILE)
                sent += 1
                if form["method"] == "get":  # a filter or search: its fields make the query string (as a browser)
                    response = _call(failures, f"GET {action} {str(data)[:300]}",
                                     lambda action=action, data=data: client.get(action.split("?")[0],
                                                                                  query_string=data))
                else:
                    response = _call(failures, f"POST {action} {str(data)[:300]}",
                                     lambda action=action, data=data: client.post(action, data=data))
                if response is not None:
                    response.close()
            # A form may have signed the person out or switched organisation: sign in again.
            client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert len(seen) > 20 and sent > 50, (len(seen), sent)  # the crawl reached the role's pages and forms
    assert not failures, "\n".join(failures[:10])
