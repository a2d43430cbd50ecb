"""Retake the README's screenshots from a server running the demo data (``make run``, or any port):

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:5000]

Drives Debian's Chromium through Playwright; each picture is the top of the page at 1280 x 900 (phone
pictures at 390 x 844). Look at them before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "greenlane-demo-2026"  # noqa: S105 (the published demo password)
# (file, who signs in or None, path or a function(page) -> path, viewport width)
SHOTS = [
    ("01-landing", None, "/", 1280),
    ("02-importer-home", "importer@northwind.example", "/home", 1280),
    ("03-wizard-identity", "importer@maplestreet.example", "/enrollment/5/identity", 1280),
    ("04-reviewer-queue", "reviewer@cbp.example.gov", "/review/enrollments", 1280),
    ("05-enrollment-decision", "reviewer@cbp.example.gov", "/review/enrollments/3", 1280),
    ("06-blank-declarations", "importer@northwind.example", "/blanks/", 1280),
    ("07-release-decision", "importer@northwind.example", "/decisions/29", 1280),
    ("08-rights-holder-home", "rights@acme-brands.example", "/home", 1280),
    ("09-standard-compare", "reviewer@cbp.example.gov", "/standards/2/compare", 1280),
    ("10-case", "reviewer@cbp.example.gov", "first-detained-case", 1280),
    ("11-statistics", "reviewer@cbp.example.gov", "/stats/enforcement", 1280),
    ("12-audit-log", "admin@cbp.example.gov", "/audit?action=enrollment.approve", 1280),
    ("13-messages", "importer@northwind.example", "/messages/1", 1280),
    ("14-phone-statistics", "reviewer@cbp.example.gov", "/stats/enforcement#sectors", 390),
    ("15-phone-decision", "importer@northwind.example", "/decisions/29", 390),
]


def main(base: str) -> None:
    """Take every picture in SHOTS."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, email, path, width in SHOTS:
            context = browser.new_context(base_url=base, viewport={"width": width, "height": 900 if width > 400 else 844})
            page = context.new_page()
            if email:
                page.goto("/login")
                page.fill("#email", email)
                page.fill("#password", PASSWORD)
                page.click("button:has-text('Sign in')")
                page.wait_for_url("**/home")
            if path == "first-detained-case":
                page.goto("/cases?status=detained")
                path = page.locator("main table tbody a").first.get_attribute("href")
            page.goto(path)
            page.screenshot(path=str(HERE / f"{name}.png"))
            context.close()
            print(name, path)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
