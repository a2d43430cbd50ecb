"""Retake the README's screenshots from a server running the demo data (``make run``, or any port):

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:5000 [NAME ...]]

Drives Debian's Chromium through Playwright; each picture is the top of the page at 1280 x 900 (phone
pictures at 390 x 844). Names (e.g. ``16-screening-job``) take only those. Look at them before committing.
"""

from __future__ import annotations

import csv
import sys
import tempfile
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
    ("16-screening-job", "reviewer@cbp.example.gov", "screening-job", 1280),
]


def screening_job(page) -> str:
    """Upload a small file of the demo importers' entries (one line with a mistyped HTS code) on the bulk screening
    page; return the job's page. Entry numbers follow the demo's, so the file can be screened once per database."""
    from program.decisions import seed
    from program.decisions.entry_number import make_entry_number
    from program.decisions.screen_read import INPUT_COLUMNS

    rows = []
    for serial, ((_, ior), lines) in enumerate(seed.ENTRIES[:12], start=1):
        number = make_entry_number("SCR", 2700000 + serial)
        for line_no, line in enumerate(lines, start=1):
            hts = "8518.22" if serial == 5 and line_no == 1 else line["hts_code"]
            rows.append({**line, "entry_number": number, "port_code": "2704", "ior_number": ior, "line_no": line_no,
                         "hts_code": hts, "lever_label": "true" if line.get("lever_label") else "false"})
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "northwind-week-48.csv"
        with open(source, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        page.goto("/review/screening")
        page.locator("input[type=file]").set_input_files(str(source))
        page.click("button:has-text('Screen the file')")
        page.wait_for_url("**/review/screening/*")
    return page.url


def main(base: str, only: list[str]) -> None:
    """Take every picture in SHOTS (or those named in ``only``)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, email, path, width in SHOTS:
            if only and name not in only:
                continue
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
            elif path == "screening-job":
                path = screening_job(page)
            page.goto(path)
            page.screenshot(path=str(HERE / f"{name}.png"))
            context.close()
            print(name, path)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000", sys.argv[2:])
