"""The rights holder's "Licence confirmations pending" dashboard panel: licensed lines of live declarations
naming its marks and awaiting its answer — the count, the oldest few, the way to the licence page — and
nothing of another owner's marks."""

from __future__ import annotations

from datetime import timedelta

from program.dashboards.party_panels import PENDING_LICENCES_SHOWN
from tests.clocks import DEFAULT_NOW
from tests.program.blanks.conftest import licensed_line


def _panel(page_text: str) -> str:
    start = page_text.index('data-panel="rh-licences-pending"')
    return page_text[start:page_text.index("</section>", start)]


def test_pending_licences_panel_counts_the_owners_lines_oldest_first(clock, client, login, importer_api, file_as,
                                                                     mark_of):
    holder, number = mark_of(name="LUMEN")
    other, other_number = mark_of(name="ACME")
    mine = [file_as(importer_api.user, lines=[licensed_line(number, line_no=1, authorization_ref=f"LUMEN-LIC-{n}")])
            for n in range(PENDING_LICENCES_SHOWN + 2)]
    theirs = file_as(importer_api.user, lines=[licensed_line(other_number, line_no=1)])
    confirmed, withdrawn = mine.pop(), mine.pop()
    url = f"/api/v1/blank-declarations/{confirmed}/lines/1/licence"
    assert holder.post(url, json={"action": "confirm"}).status_code == 200
    assert importer_api.post(f"/api/v1/blank-declarations/{withdrawn}/withdraw",
                             json={"reason": "Order cancelled."}).status_code == 200
    clock.move_to(DEFAULT_NOW + timedelta(days=3))

    panel = _panel(login(holder.user).get("/dashboard").text)
    assert f"{PENDING_LICENCES_SHOWN} licensed lines await your confirmation" in " ".join(panel.split())
    shown = [public_id for public_id in mine if public_id in panel]
    assert shown == mine[:PENDING_LICENCES_SHOWN] == sorted(shown, key=panel.index)  # the oldest, oldest first
    assert confirmed not in panel and withdrawn not in panel and theirs not in panel and other_number not in panel
    assert "LUMEN-LIC-0" in panel and "3 days" in panel
    assert 'href="/blanks/licensed"' in panel and f"({PENDING_LICENCES_SHOWN} pending)" in panel
    client.post("/logout")

    other_panel = _panel(login(other.user).get("/dashboard").text)
    assert "1 licensed line awaits your confirmation" in " ".join(other_panel.split())
    assert theirs in other_panel and not any(public_id in other_panel for public_id in [*mine, confirmed, withdrawn])


def test_an_owner_with_nothing_pending_sees_nothing_of_others(client, login, importer_api, file_as, mark_of):
    holder, number = mark_of()
    bystander, _ = mark_of(name="OTHER")
    public_id = file_as(importer_api.user, lines=[licensed_line(number, line_no=1)])
    panel = _panel(login(bystander.user).get("/dashboard").text)
    assert "No licence awaits your confirmation." in panel and public_id not in panel and number not in panel
    client.post("/logout")
    assert public_id in _panel(login(holder.user).get("/dashboard").text)
