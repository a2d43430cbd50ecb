"""Cross-domain hooks: the registries one domain offers and another fills (messages ← enrollment, …).

Kept here, in the top layer, so no domain imports a sibling just to register itself.
"""

from __future__ import annotations

from flask import url_for

from core import labels, policy
from core.accounts.roles import CBP_ROLES
from core.accounts.views import register_organization_panel
from core.errors import ValidationFailed
from core.inputs import row_by_id
from program.blanks import queries as blank_queries
from program.cases import policy as case_policy
from program.cases import queries as case_queries
from program.cases import views as case_views
from program.cases.states import EVENT_LABELS as CASE_EVENT_LABELS
from program.cases.states import STATUS_LABELS as CASE_STATUS_LABELS
from program.dashboards.views import HOME_CONTEXT
from program.decisions.uei import format_uei
from program.enrollment import queries as enrollment_queries
from program.enrollment.countries import COUNTRIES
from program.enrollment.models import Enrollment
from program.enrollment.screening import PRIOR_HISTORY_CHECKS, Finding
from program.enrollment.views_lifecycle import reapplication_bar_panel
from program.messages.contacts import register_contact_resolver
from program.messages.related import RelatedRef, register_related
from standards.dashboard import home_panels
from standards.lookups import sectors as sector_list
from standards.models import StandardVersion


def _enrollment_ref(related_id: str) -> RelatedRef | None:
    """A thread about an enrollment concerns the applying organisation only."""
    enrollment = row_by_id(Enrollment, related_id)
    if enrollment is None:
        return None
    return RelatedRef(organization_ids={enrollment.organization_id},
                      label=f"Enrollment {enrollment.program_id or enrollment.id} ({enrollment.legal_name})",
                      url=_enrollment_url(enrollment.id))


def _enrollment_url(enrollment_id: int) -> str:
    """Parties open their own enrollment page; CBP staff open the review page."""
    principal = policy.current_principal()
    if principal is not None and principal.role in CBP_ROLES:
        return url_for("enrollment_review.decision_page", enrollment_id=enrollment_id)
    return url_for("enrollment.show", enrollment_id=enrollment_id)


def _standard_ref(related_id: str) -> RelatedRef | None:
    """Anyone may discuss a proposed or published standard; a draft concerns its author only."""
    version = row_by_id(StandardVersion, related_id)
    if version is None:
        return None
    open_to_all = version.status in {"proposed", "published", "superseded"}
    return RelatedRef(organization_ids=None if open_to_all else {version.standard.author_organization_id},
                      label=f"Standard “{version.title}” v{version.version}",
                      url=url_for("standards.view", version_id=version.id))


def _blank_declaration_ref(related_id: str) -> RelatedRef | None:
    """A thread about a blank-goods declaration concerns the importer that filed it only."""
    declaration = blank_queries.get_declaration(str(related_id))
    if declaration is None:
        return None
    return RelatedRef(organization_ids={declaration.organization_id},
                      label=f"Blank-goods declaration {declaration.public_id}",
                      url=url_for("blanks.show", public_id=declaration.public_id))


def _case_ref(related_id: str) -> RelatedRef | None:
    """A thread about a case concerns the importer organisation of the entry and the owners of the recorded
    marks on its lines (the parties 19 CFR 133.21 lets see the case; each sees it through its own view)."""
    try:
        case = case_policy.load_case(related_id)
    except ValidationFailed:  # a malformed UEI is simply no such case here
        return None
    if case is None:
        return None
    importer = case.decision.organization_id
    parties = set(case_policy.mark_owners(case)) | ({importer} if importer else set())
    return RelatedRef(organization_ids=parties, label=f"Case {format_uei(case.uei)}",
                      url=url_for("cases.show", uei=case.uei))


def _importer_address(organization_id: int) -> str | None:
    """The importer's address from its current enrollment (Form 5106), for the owner after a seizure."""
    enrollment = enrollment_queries.current_enrollment(organization_id)
    if enrollment is None:
        return None
    parts = [enrollment.address_street, enrollment.address_city, enrollment.address_state,
             enrollment.address_postal_code, enrollment.address_country or ""]
    return ", ".join(part for part in parts if part) or None


def prior_case_findings(enrollment: Enrollment) -> list[Finding]:
    """Closed Greenlane cases of entries under the applicant's IOR number: seized ones flagged, others for information."""
    findings = []
    for case in case_queries.prior_cases_for_ior([enrollment.ior_number or ""]):
        outcome = CASE_STATUS_LABELS.get(case.status, case.status).lower()
        code = "prior_case_seized" if case.status == "seized" else "prior_case"
        findings.append(Finding(code, (
            f"Case {format_uei(case.uei)} (entry {case.decision.entry_number}, port {case.port_code}) under IOR "
            f"{case.decision.ior_number} ended {outcome} on {case.outcome_date.isoformat()}.")))
    return findings


def referred_allegation_findings(enrollment: Enrollment) -> list[Finding]:
    """Referred Report-IP-theft allegations about the applicant's organisation or IOR number (reviewers only)."""
    from program.allegations.queries import referred_about

    return [Finding("allegation_referred", (
        f"Allegation {a.receipt} (received {a.received_at:%Y-%m-%d}) was referred on {a.referred_at:%Y-%m-%d}: "
        f"{a.summary}")) for a in referred_about(enrollment.organization_id, [enrollment.ior_number])]


def connect() -> None:
    """Register every cross-domain hook (idempotent)."""
    if home_panels not in HOME_CONTEXT:
        HOME_CONTEXT.append(home_panels)
    if case_views.home_context not in HOME_CONTEXT:
        HOME_CONTEXT.append(case_views.home_context)
    from program.announcements.views import home_announcements

    if home_announcements not in HOME_CONTEXT:
        HOME_CONTEXT.append(home_announcements)
    register_related("enrollment", _enrollment_ref)
    register_related("standard", _standard_ref)
    register_related("blank_declaration", _blank_declaration_ref)
    register_contact_resolver(enrollment_queries.contact_emails)
    register_related("case", _case_ref)
    labels.register("case_status", CASE_STATUS_LABELS)
    labels.register("case_event", CASE_EVENT_LABELS)
    labels.register("sector", lambda: {sector.code: sector.name for sector in sector_list()})
    labels.register("country", COUNTRIES)
    case_policy.set_address_lookup(_importer_address)
    register_organization_panel(reapplication_bar_panel)
    if prior_case_findings not in PRIOR_HISTORY_CHECKS:
        PRIOR_HISTORY_CHECKS.append(prior_case_findings)
    if referred_allegation_findings not in PRIOR_HISTORY_CHECKS:
        PRIOR_HISTORY_CHECKS.append(referred_allegation_findings)
    from program.dashboards import panels

    panels.connect()
    _watch_program_facts()


def _watch_program_facts() -> None:
    """Changes to anything the release rules read bump the facts version, so per-process caches reload."""
    from program.blanks import services as blanks
    from program.decisions import facts
    from program.enrollment.models import DebarredParty, EnrollmentSector, EnrollmentStatusChange
    from standards.models import Endorsement, RecordedMark, Sector, VersionCondition

    if facts.bump_facts_version not in blanks.on_facts_changed:
        blanks.on_facts_changed.append(facts.bump_facts_version)
    # Enrollment moves are conditional Core UPDATEs; the status-history row each one writes is what we see.
    facts.watch(Enrollment, EnrollmentSector, EnrollmentStatusChange, DebarredParty, Sector, RecordedMark, StandardVersion,
                VersionCondition, Endorsement)
    # Case outcomes are conditional Core UPDATEs too; each writes an event row (a seizure is a prior violation).
    from program.cases.models import CaseEvent
    from program.decisions.models import ViolativeShipper

    facts.watch(CaseEvent, ViolativeShipper)
