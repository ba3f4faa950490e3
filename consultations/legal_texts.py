"""The municipality's two legal texts, built from its data: the privacy notice and the
accessibility statement. Pure functions over the site settings row and the municipality: what
staff left empty falls back to what the platform knows, and what nothing can fill is a *gap*,
shown to staff as a list and to residents as "to be completed by the office".

Sources (looked up, December 2026):
- RODO (Regulation (EU) 2016/679) art. 13 ust. 1–2 (erodo.pl, afterlegal.pl): the controller's
  identity and contact, the DPO's contact, purposes and legal basis, recipients, retention,
  the rights to access, rectification, erasure, restriction, objection and portability, the
  right to lodge a complaint with the supervisory authority (in Poland the President of the
  Personal Data Protection Office, PUODO); art. 14 adds the categories and the source where
  data are not collected from the person (remarks a clerk types in from paper or minutes).
- RODO art. 28 ust. 3 (gdprinfo.eu): processing by a processor is governed by a contract, so
  the provider of the platform is named as the processor, acting on the municipality's
  documented instructions.
- RODO art. 37 ust. 1 lit. a, read in the Polish text (gdpr-text.com/pl/read/article-37/, read
  4 December 2026): "Administrator i podmiot przetwarzający wyznaczają inspektora ochrony
  danych, zawsze gdy: a) przetwarzania dokonują organ lub podmiot publiczny, z wyjątkiem sądów
  w zakresie sprawowania przez nie wymiaru sprawiedliwości"; the same wording is quoted by the
  PUODO guide at sip.lex.pl ("Kto może, a kto musi wyznaczyć IOD?"), which adds that art. 9 of
  the Polish act of 10 May 2018 on personal data protection counts units of local government
  among those public bodies. So a municipality always has a DPO, and the privacy notice names
  the DPO's contact (art. 13 ust. 1 lit. b).
- Ustawa z 4 kwietnia 2019 r. o dostępności cyfrowej stron internetowych i aplikacji mobilnych
  podmiotów publicznych (t.j. Dz.U. 2023 poz. 1440), art. 10: the statement is made in an
  accessible way, with the template of Commission Implementing Decision (EU) 2018/1523, and is
  reviewed and updated by 31 March each year (and after changes that affect accessibility);
  art. 12 pkt 7: the minister publishes the technical conditions and the structure of the
  statement ("Warunki techniczne publikacji i struktura dokumentu elektronicznego deklaracji
  dostępności", version 2.0 of 31 July 2024, read in its copy at deklaracja-dostepnosci.info).
  Art. 18: anyone may demand digital accessibility; the body acts within 7 days, or tells why
  and when, at most 2 months (bip.brpo.gov.pl, gops.tymbark.pl). The complaint route after a
  refusal and the Ombudsman (Rzecznik Praw Obywatelskich) are still taken from secondary
  sources only (altix.pl and testerzy.pl: the route follows the complaints procedure of the
  Code of Administrative Procedure, "por. art. 18 ust. 8"; wcss.wroc.pl: the Ombudsman after
  that procedure). The text of art. 18 ust. 4–8 was not found in the stored copies (4 December
  2026), so their article numbers stay unverified and the statement cites none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from consultations.models import AccessibilityAssessment, AccessibilityStatus, SiteSettings

if TYPE_CHECKING:
    # Annotations only (import-linter still counts it, so it cannot hide a cycle).
    from tenants.models import Municipality

# The statute's yearly deadline for reviewing the statement: 31 March (art. 10).
REVIEW_DEADLINE = (3, 31)
# When the reminder goes out: a month before the deadline. A product choice, not law.
REMINDER_FROM = (3, 1)


@dataclass(frozen=True)
class Gap:
    """A piece of a legal text that nothing in the platform can fill: staff must."""

    field: str
    label: str


@dataclass(frozen=True)
class Processor:
    name: str
    address: str
    nip: str


@dataclass
class PrivacyNotice:
    controller_name: str
    controller_address: str
    controller_email: str
    dpo_email: str
    dpo_phone: str
    processor: Processor
    retention: str
    recipients: str
    extra: str
    updated_at: date | None
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class AccessibilityStatement:
    body_name: str
    site_url: str
    published_on: date | None
    updated_on: date | None
    status: str
    status_label: str
    noncompliance: str
    exclusions: str
    prepared_on: date | None
    reviewed_on: date | None
    assessment: str
    audit_url: str
    contact_name: str
    contact_email: str
    contact_phone: str
    architectural: str
    review_due_by: date
    review_overdue: bool
    gaps: list[Gap] = field(default_factory=list)


def processor_of_platform() -> Processor:
    """The provider, which hosts the platform for the municipality (art. 28 RODO)."""
    provider = settings.BILLING_PROVIDER
    return Processor(name=provider["name"], address=provider["address"], nip=provider["nip"])


def default_retention() -> str:
    return _(
        "Your account is kept until you delete it. Remarks, survey answers and sign-ups "
        "sent in a consultation are kept with its documentation for as long as the rules on "
        "keeping the office's records require; when you delete your account, what stays is "
        "kept without data that identify you. Sign-ups and subscriptions not confirmed from "
        "the e-mail are deleted after 7 days."
    )


def default_recipients(processor: Processor) -> str:
    return _(
        "The provider of the consultation platform, %(name)s, %(address)s (NIP %(nip)s), "
        "processes the data on behalf of the controller under a data processing agreement "
        "(art. 28 RODO), together with the hosting and e-mail delivery providers it engages "
        "with the controller's consent. Data may also be disclosed to bodies entitled to them "
        "by law. The consultation report published afterwards contains no personal data of "
        "private persons."
    ) % {"name": processor.name, "address": processor.address, "nip": processor.nip}


def privacy_notice_for(row: SiteSettings, municipality: Municipality) -> PrivacyNotice:
    """The notice with every empty field filled from the municipality's data where it can
    be, and the gaps that remain."""
    processor = processor_of_platform()
    notice = PrivacyNotice(
        controller_name=row.controller_name or municipality.name,
        controller_address=row.controller_address,
        controller_email=row.controller_email or municipality.contact_email,
        dpo_email=row.dpo_email,
        dpo_phone=row.dpo_phone,
        processor=processor,
        retention=row.privacy_retention or default_retention(),
        recipients=row.privacy_recipients or default_recipients(processor),
        extra=row.privacy_extra,
        updated_at=row.privacy_updated_at.date() if row.privacy_updated_at else None,
    )
    if not notice.controller_address:
        notice.gaps.append(Gap("controller_address", _("the controller's postal address")))
    if not notice.controller_email:
        notice.gaps.append(Gap("controller_email", _("the controller's e-mail")))
    if not notice.dpo_email:
        notice.gaps.append(Gap("dpo_email", _("the data protection officer's e-mail")))
    return notice


def review_deadline(today: date) -> date:
    """The 31 March by which this year's review is due."""
    return date(today.year, *REVIEW_DEADLINE)


def reviewed_this_year(reviewed_on: date | None, today: date) -> bool:
    return reviewed_on is not None and reviewed_on.year == today.year


def default_noncompliance() -> str:
    return _(
        "Documents that staff attach to consultations (PDF, DOCX, ODT files) may not be "
        "accessible: a scanned document has no text layer. On request we provide their "
        "content in an accessible form.\n"
        "Maps in consultations that have them are not usable with a screen reader; the "
        "areas are also described in text."
    )


def default_status(municipality: Municipality) -> str:
    # The platform's own pages are tested with axe-core (WCAG 2.1 AA); what staff upload
    # cannot be, so "partly compliant" is the honest default.
    return AccessibilityStatus.PARTLY


def accessibility_statement_for(
    row: SiteSettings, municipality: Municipality, *, today: date
) -> AccessibilityStatement:
    """The statement in the structure of the ministry's template, with defaults from the
    municipality's data and the gaps that remain."""
    status = row.a11y_status or default_status(municipality)
    published_on = row.a11y_published_on or (
        municipality.ready_at.date() if municipality.ready_at else None
    )
    statement = AccessibilityStatement(
        body_name=row.controller_name or municipality.name,
        site_url=municipality.site_url,
        published_on=published_on,
        updated_on=row.a11y_updated_on or published_on,
        status=status,
        status_label=str(AccessibilityStatus(status).label),
        noncompliance=row.a11y_noncompliance
        or ("" if status == AccessibilityStatus.COMPLIANT else default_noncompliance()),
        exclusions=row.a11y_exclusions,
        prepared_on=row.a11y_prepared_on,
        reviewed_on=row.a11y_reviewed_on,
        assessment=row.a11y_assessment or AccessibilityAssessment.SELF,
        audit_url=row.a11y_audit_url,
        contact_name=row.a11y_contact_name,
        contact_email=row.a11y_contact_email or municipality.contact_email,
        contact_phone=row.a11y_contact_phone,
        architectural=row.a11y_architectural,
        review_due_by=review_deadline(today),
        review_overdue=today > review_deadline(today)
        and not reviewed_this_year(row.a11y_reviewed_on, today),
    )
    if not statement.prepared_on:
        statement.gaps.append(Gap("a11y_prepared_on", _("the date the statement was prepared")))
    if not statement.reviewed_on:
        statement.gaps.append(Gap("a11y_reviewed_on", _("the date of the last review and update")))
    if not statement.contact_name:
        statement.gaps.append(
            Gap("a11y_contact_name", _("the person responsible for accessibility"))
        )
    if not statement.contact_email:
        statement.gaps.append(Gap("a11y_contact_email", _("the accessibility contact e-mail")))
    if not statement.contact_phone:
        statement.gaps.append(Gap("a11y_contact_phone", _("the accessibility contact phone")))
    if statement.assessment == AccessibilityAssessment.AUDIT and not statement.audit_url:
        statement.gaps.append(Gap("a11y_audit_url", _("the link to the audit report")))
    return statement
