"""The report's data: one JSON-able snapshot built from the consultation and from the section
each participation kind gives through the registry (consultations.participation). Every
format is rendered from this snapshot alone, so a published version is frozen by keeping it,
and the personal-data rule is enforced once, here, for every format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations import participation
from consultations.legal_basis import legal_basis_citation
from consultations.models import Consultation
from consultations.selectors import participation_forms_of, report_due_date
from rulesets.models import Channel
from tenants.selectors import municipality_current

REDACTED = "[…]"
# An e-mail address typed into free text (the register's own e-mail fields never reach here).
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Personal strings shorter than this are not searched for (a bare first name would blank
# ordinary words); full names, addresses and e-mails are longer.
PERSONAL_MIN_LENGTH = 5


def _when(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "j E Y, H:i") if value else "–"


class Redactor:
    """Removes private persons' names, addresses and e-mails from free text."""

    def __init__(self, strings: Iterable[str]) -> None:
        wanted = sorted(
            {s.strip() for s in strings if len(s.strip()) >= PERSONAL_MIN_LENGTH},
            key=len,
            reverse=True,
        )
        self.pattern = (
            re.compile("|".join(re.escape(s) for s in wanted), re.IGNORECASE) if wanted else None
        )
        self.lowered = [s.lower() for s in wanted]

    def text(self, value: str) -> str:
        if "@" in value:
            value = EMAIL_RE.sub(REDACTED, value)
        if self.pattern is not None and len(value) >= PERSONAL_MIN_LENGTH:
            value = self.pattern.sub(REDACTED, value)
        return value

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.walk(item) for item in value]
        if isinstance(value, dict):
            return {key: self.walk(item) for key, item in value.items()}
        return value


def _legal_basis_text(consultation: Consultation) -> str:
    """The basis, the provision it cites and the rule set the consultation was ordered under."""
    parts = [str(consultation.get_legal_basis_display())]
    citation = legal_basis_citation(consultation.legal_basis)
    if citation:
        parts.append(citation)
    source = (consultation.rules_snapshot or {}).get("source")
    if source:
        parts.append(_("rules followed: %(source)s") % {"source": source})
    return "; ".join(parts)


def _publications(consultation: Consultation) -> list[str]:
    """Where staff recorded the announcement as published (the evidence of issue 8)."""
    labels = dict(Channel.choices)
    return [
        f"{labels.get(row.channel, row.channel)} ({date_format(row.published_on, 'j E Y')})"
        + (f" {row.proof_url}" if row.proof_url else "")
        for row in consultation.announcement_publications.order_by("published_on", "pk")
    ]


def _general_sections(consultation: Consultation) -> list[dict[str, Any]]:
    due = report_due_date(consultation)
    page = reverse("consultation_detail", kwargs={"slug": consultation.slug})
    forms = participation_forms_of(consultation)
    form_rows = []
    for form in forms:
        kind = participation.kind_get(form.kind)
        count = kind.contribution_count(consultation) if kind is not None else 0
        form_rows.append(
            [
                str(participation.kind_label(form.kind)),
                f"{_when(form.starts_at or consultation.starts_at)} – "
                f"{_when(form.ends_at or consultation.ends_at)}",
                count,
            ]
        )
    subject: list[list[Any]] = [[_("Title"), consultation.title]]
    if consultation.summary:
        subject.append([_("Summary"), consultation.summary])
    if consultation.department_id:
        subject.append([_("Organised by"), str(consultation.department)])
    areas = ", ".join(str(area) for area in consultation.areas.all())
    if areas:
        subject.append([_("Areas"), areas])
    return [
        {
            "key": "subject",
            "title": _("Subject of the consultation"),
            "blocks": [
                {"type": "facts", "items": subject},
                *(
                    [{"type": "paragraph", "text": consultation.description}]
                    if consultation.description
                    else []
                ),
            ],
        },
        {
            "key": "legal_basis",
            "title": _("Legal basis"),
            "blocks": [{"type": "paragraph", "text": _legal_basis_text(consultation)}],
        },
        {
            "key": "dates",
            "title": _("Dates and announcement"),
            "blocks": [
                {
                    "type": "facts",
                    "items": [
                        [_("Announced"), _when(consultation.scheduled_at)],
                        [
                            _("Where it was announced"),
                            "; ".join(
                                [
                                    _("On the consultation's page %(url)s")
                                    % {"url": _site_url() + page},
                                    *_publications(consultation),
                                ]
                            ),
                        ],
                        [_("Start"), _when(consultation.starts_at)],
                        [_("End"), _when(consultation.ends_at)],
                        [
                            _("Deadline for the report"),
                            date_format(due, "j E Y") if due else "–",
                        ],
                    ],
                }
            ],
        },
        {
            "key": "forms",
            "title": _("Forms of participation"),
            "blocks": [
                {
                    "type": "table",
                    "caption": _("Forms used and participation in each"),
                    "sheet": _("Forms"),
                    "headers": [_("Form"), _("When"), _("Contributions")],
                    "rows": form_rows,
                }
            ],
        },
    ]


def _site_url() -> str:
    """The municipality's address without the trailing slash (its stored domain, never a
    request's Host header)."""
    return municipality_current().site_url.rstrip("/")


def personal_strings_of(consultation: Consultation) -> list[str]:
    strings: list[str] = []
    for kind in participation.kinds():
        strings.extend(kind.personal_strings(consultation))
    return strings


def report_data(
    consultation: Consultation, *, conclusions_html: str = "", effects: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole report as data: general sections, each kind's section, the conclusions.

    Personal data: kinds give no private person's name, address or e-mail; on top of that,
    every name, address and e-mail the kinds know, and any e-mail address, is removed from
    all the text (a resident may have typed a neighbour's name into a remark)."""
    sections = _general_sections(consultation)
    seen_kinds = {form.kind for form in participation_forms_of(consultation)}
    for kind in participation.kinds():
        if kind.name not in seen_kinds:
            continue
        section = kind.report_section(consultation)
        if not section or not section.get("blocks"):
            continue
        sections.append(
            {
                "key": kind.name,
                "title": str(section.get("title") or kind.label),
                "blocks": section["blocks"],
            }
        )
    redactor = Redactor(personal_strings_of(consultation))
    sections = redactor.walk(sections)
    return {
        "lang": "pl",
        "municipality": municipality_current().name,
        "title": consultation.title,
        "slug": consultation.slug,
        "generated_at": timezone.now().isoformat(),
        "sections": sections,
        # Already sanitised by nh3 when saved; redacted like the rest.
        "conclusions_html": redactor.text(conclusions_html),
        "effects": effects or {},
    }


def report_blockers(consultation: Consultation) -> list[dict[str, Any]]:
    """What every kind says still stops publication."""
    blockers: list[dict[str, Any]] = []
    for kind in participation.kinds():
        blockers.extend(kind.report_blockers(consultation))
    return blockers


def participant_emails_of(consultation: Consultation) -> set[str]:
    emails: set[str] = set()
    for kind in participation.kinds():
        emails.update(email.strip().lower() for email in kind.participant_emails(consultation))
    emails.discard("")
    return emails
