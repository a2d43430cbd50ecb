"""Who is told what about a case, and the e-mails themselves (queued in the caller's transaction through
core.notifications' outbox). Mail leaves the system unencrypted and contact mailboxes are shared, so a
message carries a subject, dates and a link — never the importer's data to a mark owner."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for

from core.notifications import queue_notification
from program.cases import policy
from program.cases.deadlines import SUSPECTED_COUNTERFEIT
from program.cases.models import CaseEvent, EnforcementCase
from program.cases.states import EVENT_LABELS, OUTCOMES, EventType
from program.decisions.uei import format_uei
from program.enrollment import routing
from program.tiers.features import has_feature


def importer_recipients(organization_id: int | None) -> list[str]:
    """Who at the importer hears of its detentions: the routing table's ``detention`` route (the enforcement
    contact, else the IPR contact, else the primary contact, else its active users)."""
    return routing.organization_recipients(organization_id, "detention")


def owner_recipients(organization_id: int) -> list[str]:
    """Who at a mark owner hears of detained goods bearing its mark: the routing table's ``mark_owner`` route."""
    return routing.organization_recipients(organization_id, "mark_owner")


def _owner_recipients(case: EnforcementCase) -> list[str]:
    return [email for owner in sorted(policy.mark_owners(case)) for email in owner_recipients(owner)]


def _case_link(case: EnforcementCase) -> str:
    try:
        return url_for("cases.show", uei=case.uei, _external=True)
    except RuntimeError:  # CLI without SERVER_NAME: a path is the best we can do
        return f"/cases/{case.uei}"


def notify(recipients: Iterable[str], case: EnforcementCase, subject: str, lines: list[str], topic: str) -> None:
    # Subject, dates and a link only: mail leaves the system unencrypted and contact mailboxes are shared.
    body = "\n".join([*lines, "", f"Case {format_uei(case.uei)}: {_case_link(case)}",
                      "This is an automated message from the Greenlane trusted-importer program (CBP)."])
    queue_notification(recipients, f"Greenlane case {format_uei(case.uei)}: {subject}", body, topic=topic)



def notify_detention(case: EnforcementCase) -> None:
    """At the notice: the importer gets the notice and its deadlines; each owner of a mark on a detained line
    whose tier has ``email_detention_notices`` is e-mailed of the detention with the limited-purpose notice
    (19 CFR 133.21(b)). Owners on the free tier see the same limited facts on the case page and the API."""
    late = " The notice was sent after its due date." if case.notice_date > case.notice_due else ""
    period = ("seven business days, 19 CFR 133.21(b)" if case.basis == SUSPECTED_COUNTERFEIT
              else "the 30-day detention period, 19 CFR 133.25(a)")
    notify(importer_recipients(case.decision.organization_id), case, "shipment detained", [
        f"CBP has detained entry {case.decision.entry_number} at port {case.decision.port_code} "
        f"(notice dated {case.notice_date.isoformat()}).{late}",
        f"You may respond until {case.response_due.isoformat()} ({period}).",
        f"The detention period ends {case.detention_ends.isoformat()}; goods not decided by then are deemed excluded.",
        "Sign in to Greenlane to see the case, its images and respond."], topic="case.detain")
    for owner in sorted(policy.mark_owners(case)):
        # E-mail is a paid tier's convenience; every owner sees the detention on its case page and the API.
        if not has_feature(owner, "email_detention_notices"):
            continue
        notify(owner_recipients(owner), case, "goods bearing your mark detained", [
            f"CBP has detained goods bearing your recorded mark at port {case.port_code} "
            f"(notice dated {case.notice_date.isoformat()}).",
            "Sign in to Greenlane to see the date of importation, port, description, quantity and country of origin.",
            policy.DISCLOSURE_NOTICE], topic="case.owner_notice")



def notify_event(case: EnforcementCase, event: CaseEvent) -> None:
    """Tell the parties concerned of an event: shares, disclosure, extensions, post-seizure steps, outcomes."""
    importer = case.decision.organization_id
    if event.type == EventType.IMAGES_SHARED_IMPORTER:
        notify(importer_recipients(importer), case, "detention images shared", [
            "CBP has shared images of your detained goods with you.",
            f"Your response is due by {case.response_due.isoformat()}."], topic="case.images_shared_importer")
    elif event.type == EventType.IMAGES_SHARED_RIGHTS_HOLDER:
        notify(_owner_recipients(case), case, "detention images shared", [
            "CBP has shared redacted images of detained goods that bear your recorded mark.",
            "Sign in to Greenlane to see them and report whether the goods are authentic.", policy.DISCLOSURE_NOTICE],
            topic="case.images_shared_rights_holder")
    elif event.type == EventType.UNREDACTED_DISCLOSED:  # 133.21(b)(2)(ii): CBP tells the importer
        notify(importer_recipients(importer), case, "unredacted images disclosed to the rights holder", [
            f"On {event.date.isoformat()} CBP disclosed unredacted images and codes of your detained goods to the "
            "owner of the recorded mark, as 19 CFR 133.21(b) provides when the importer has not answered in time "
            "or answered insufficiently."], topic="case.unredacted_disclosed")
        notify(_owner_recipients(case), case, "unredacted images disclosed", [
            "CBP has disclosed unredacted images of detained goods bearing your mark.",
            policy.DISCLOSURE_NOTICE], topic="case.unredacted_disclosed_owner")
    elif event.type == EventType.DETENTION_EXTENDED:
        notify(importer_recipients(importer), case, "detention period extended", [
            f"CBP extended the detention period to {case.detention_ends.isoformat()} (19 CFR 133.25(a))."],
            topic="case.detention_extended")
    elif event.type in (EventType.FORFEITURE_NOTICE, EventType.PENALTY_ASSESSED, EventType.LIQUIDATED_DAMAGES_CLAIMED):
        notify(importer_recipients(importer), case, EVENT_LABELS[event.type].lower(), [
            f"CBP recorded on the seized case: {EVENT_LABELS[event.type].lower()} ({event.date.isoformat()})."],
            topic=f"case.{event.type}")
    elif event.type in OUTCOMES:
        notify(importer_recipients(importer), case, EVENT_LABELS[event.type].lower(), [
            f"CBP recorded the outcome of the detention: {EVENT_LABELS[event.type].lower()} "
            f"({event.date.isoformat()}). The case is closed."], topic=f"case.{event.type}")
