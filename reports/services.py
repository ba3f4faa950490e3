"""Writes of the consultation report: conclusions, generation, publication, errata, effects,
deadline reminders and the "report published" mails. Each is one transactional function;
heavy work (rendering every format) runs in Celery after commit."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from common.outbox import outbox_deliver
from common.queue import task_queue_on_commit
from common.tokens import row_token
from consultations.models import Consultation, ConsultationStatus
from consultations.selectors import report_due_date
from consultations.services import audit_record
from consultations.services.lifecycle import consultation_report_publish
from reports import builder
from reports.formats import FORMATS
from reports.models import (
    JobStatus,
    Report,
    ReportFile,
    ReportMail,
    ReportOptOut,
    ReportReminder,
    ReportVersion,
)
from tenants.selectors import municipality_current

logger = logging.getLogger(__name__)

# What the conclusions editor may store: structure and emphasis, links; nothing that runs
# or styles (the CSP forbids inline styles anyway).
CONCLUSIONS_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "a",
}
CONCLUSIONS_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
CONCLUSIONS_MAX = 200_000


def conclusions_clean(html: str) -> str:
    """Safe HTML of the conclusions (nh3, the Ammonia sanitiser). Plain text without tags
    becomes paragraphs, so a textarea without the editor works too."""
    html = (html or "").strip()
    if html and "<" not in html:
        html = "".join(
            "<p>" + nh3.clean_text(part).replace("\n", "<br>") + "</p>"
            for part in html.replace("\r\n", "\n").split("\n\n")
            if part.strip()
        )
    return nh3.clean(
        html,
        tags=CONCLUSIONS_TAGS,
        attributes=CONCLUSIONS_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def report_of(consultation: Consultation) -> Report:
    report, _created = Report.objects.get_or_create(consultation=consultation)
    return report


@transaction.atomic
def report_conclusions_save(*, acting_user: User, consultation_id: int, html: str) -> Report:
    """Store the coordinator's conclusions, sanitised."""
    if len(html) > CONCLUSIONS_MAX:
        raise ValidationError(
            {"conclusions": [_("The conclusions are too long (at most 200,000 characters).")]}
        )
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED):
        raise ValidationError(_("The report can be prepared once the consultation has closed."))
    report = report_of(consultation)
    report.conclusions_html = conclusions_clean(html)
    report.save(update_fields=["conclusions_html", "updated_at"])
    audit_record(acting_user=acting_user, action="report_conclusions_save", target=consultation)
    return report


def _queue_render(version: ReportVersion) -> None:
    task_queue_on_commit("reports.tasks.report_version_render", version.pk)


@transaction.atomic
def report_generate(*, acting_user: User, consultation_id: int) -> ReportVersion:
    """Queue a preview of the report (every format) for staff; the worker builds it."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED):
        raise ValidationError(_("The report can be prepared once the consultation has closed."))
    version = ReportVersion.objects.create(consultation=consultation, created_by=acting_user)
    audit_record(acting_user=acting_user, action="report_generate", target=consultation)
    _queue_render(version)
    return version


def _snapshot(consultation: Consultation) -> dict[str, Any]:
    report = report_of(consultation)
    return builder.report_data(consultation, conclusions_html=report.conclusions_html)


def _progress(version_id: int, **fields: Any) -> None:
    ReportVersion.objects.filter(pk=version_id).update(**fields)


def report_version_render(
    *, version_id: int, on_format: Callable[[str, float, int], None] | None = None
) -> ReportVersion:
    """Build the snapshot (previews only: a published version's was frozen when published)
    and render every format, recording progress for staff. Safe to run again: each file is
    replaced whole."""
    version = ReportVersion.objects.select_related("consultation").get(pk=version_id)
    try:
        _progress(version_id, status=JobStatus.RUNNING, progress=1, step="data", error="")
        if not version.data:
            version.data = _snapshot(version.consultation)
            ReportVersion.objects.filter(pk=version_id).update(data=version.data)
        data = dict(version.data, version_label=version_label(version))
        steps = len(FORMATS)
        for index, (code, fmt) in enumerate(FORMATS.items()):
            _progress(version_id, step=code, progress=5 + round(90 * index / steps))
            started = time.perf_counter()
            content = fmt.render(data)
            seconds = time.perf_counter() - started
            ReportFile.objects.update_or_create(
                version=version,
                format=code,
                defaults={"content": content, "size": len(content), "seconds": seconds},
            )
            if on_format is not None:
                on_format(code, seconds, len(content))
    except Exception as exc:
        _progress(version_id, status=JobStatus.FAILED, error=str(exc)[:2000])
        raise
    _progress(version_id, status=JobStatus.DONE, progress=100, step="", finished_at=timezone.now())
    version.refresh_from_db()
    return version


def version_label(version: ReportVersion) -> str:
    if version.published_at is None:
        return str(_("Preview, not published"))
    when = date_format(timezone.localtime(version.published_at), "j E Y")
    if version.number == 1:
        return str(_("Published on %(date)s") % {"date": when})
    return str(
        _("Erratum no. %(number)s of %(date)s")
        % {"number": (version.number or 1) - 1, "date": when}
    )


class ReportBlocked(ValidationError):
    """Publication refused: ``blockers`` lists what stops it."""

    def __init__(self, blockers: list[dict[str, Any]]) -> None:
        super().__init__(
            _(
                "The report cannot be published while %(count)s remarks lack an approved "
                "response. Each is listed below."
            )
            % {"count": len(blockers)},
            code="blockers",
        )
        self.blockers = blockers


def _next_number(consultation: Consultation) -> int:
    top = ReportVersion.objects.filter(consultation=consultation).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


@transaction.atomic
def report_publish(*, acting_user: User, consultation_id: int) -> ReportVersion:
    """closed → report published. Refused while any remark lacks an approved response (the
    blockers come from every kind through the registry). The data are frozen in the same
    transaction as the check, as version 1; the files are rendered by the worker, and the
    subscribers and participants are told once it is out."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status != ConsultationStatus.CLOSED:
        raise ValidationError(
            _("Only the report of a closed consultation can be published."), code="state"
        )
    blockers = builder.report_blockers(consultation)
    if blockers:
        raise ReportBlocked(blockers)
    now = timezone.now()
    data = _snapshot(consultation)
    consultation_report_publish(
        acting_user=acting_user, consultation_id=consultation.pk, report_text="", now=now
    )
    version = ReportVersion.objects.create(
        consultation=consultation,
        number=_next_number(consultation),
        data=data,
        published_at=now,
        published_by=acting_user,
        created_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action="report_publish",
        target=consultation,
        details={"version": version.number},
    )
    _queue_render(version)
    task_queue_on_commit("reports.tasks.report_mails_send", version.pk)
    return version


def _redacted(consultation: Consultation, text: str) -> str:
    """Free text staff write for the public report page, with private persons' names,
    addresses and e-mails removed as everywhere in the report (reports.builder.Redactor)."""
    return builder.Redactor(builder.personal_strings_of(consultation)).text(text)


@transaction.atomic
def report_erratum_publish(*, acting_user: User, consultation_id: int, note: str) -> ReportVersion:
    """A dated correction: a new version built from the current data, with a note of what it
    corrects. Every earlier version stays readable."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status != ConsultationStatus.REPORT_PUBLISHED:
        raise ValidationError(
            _("An erratum can be published only for a published report."), code="state"
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Describe what the erratum corrects.")]}, code="empty")
    blockers = builder.report_blockers(consultation)
    if blockers:
        raise ReportBlocked(blockers)
    version = ReportVersion.objects.create(
        consultation=consultation,
        number=_next_number(consultation),
        data=_snapshot(consultation),
        # Public like the report itself: no private person named, whatever was typed.
        erratum_note=_redacted(consultation, note)[:5000],
        published_at=timezone.now(),
        published_by=acting_user,
        created_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action="report_erratum_publish",
        target=consultation,
        details={"version": version.number},
    )
    _queue_render(version)
    return version


@transaction.atomic
def report_effects_save(*, acting_user: User, consultation_id: int, text: str, url: str) -> Report:
    """The "effects" note: what changed in the final act, with a link to it."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in (
        ConsultationStatus.REPORT_PUBLISHED,
        ConsultationStatus.ARCHIVED,
    ):
        raise ValidationError(_("Effects can be described once the report is published."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Describe the effects of the consultation.")]})
    if url and not url.startswith(("https://", "http://")):
        raise ValidationError({"url": [_("Enter a link starting with https://.")]})
    report = report_of(consultation)
    report.effects_text = _redacted(consultation, text)[:10000]
    report.effects_url = url
    report.effects_at = timezone.now()
    report.save(update_fields=["effects_text", "effects_url", "effects_at", "updated_at"])
    audit_record(acting_user=acting_user, action="report_effects_save", target=consultation)
    return report


# --- Deadline reminders -------------------------------------------------------------------

# Days before the deadline on which the coordinators are reminded, largest first. Each is
# sent once (ReportReminder's unique constraint); a run that comes late sends only the one
# whose window it is in (7: from 7 to 2 days before; 1: from 1 day before to the day).
REMINDER_DAYS = (7, 1)


def _sender(name: str) -> str:
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _coordinator_emails(consultation: Consultation) -> list[str]:
    emails: set[str] = set()
    if consultation.department_id:
        assert consultation.department is not None
        emails.update(
            consultation.department.coordinators.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if consultation.created_by is not None and consultation.created_by.email:
        emails.add(consultation.created_by.email)
    return sorted(emails)


def report_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the coordinators of closed consultations whose report is due in 7 days or in
    1 day. Returns how many reminders were sent in this schema."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    municipality = municipality_current()
    base = municipality.site_url.rstrip("/")
    sent = 0
    for consultation in Consultation.objects.filter(
        status=ConsultationStatus.CLOSED
    ).select_related("department", "created_by"):
        due = report_due_date(consultation)
        if due is None:
            continue
        left = (due - today).days
        if left < 0:
            continue
        windows = [*REMINDER_DAYS, -1]
        for days, lower in itertools.pairwise(windows):
            if not (lower < left <= days):
                continue
            recipients = _coordinator_emails(consultation)
            try:
                with transaction.atomic():
                    ReportReminder.objects.create(
                        consultation=consultation,
                        days_before=days,
                        due_date=due,
                        recipients=len(recipients),
                    )
                    if recipients:
                        with translation.override(settings.LANGUAGE_CODE):
                            send_mail(
                                subject=_("%(name)s: the report is due on %(date)s – %(title)s")
                                % {
                                    "name": municipality.name,
                                    "date": date_format(due, "j E Y"),
                                    "title": consultation.title,
                                },
                                message=_(
                                    "The report on the consultation “%(title)s” must be "
                                    "published by %(date)s (%(left)s days left).\n\n"
                                    "Prepare and publish it in the panel:\n%(url)s\n"
                                )
                                % {
                                    "title": consultation.title,
                                    "date": date_format(due, "j E Y"),
                                    "left": left,
                                    "url": base
                                    + reverse(
                                        "panel_report",
                                        kwargs={"consultation_id": consultation.pk},
                                    ),
                                },
                                from_email=_sender(municipality.name),
                                recipient_list=recipients,
                            )
            except IntegrityError:
                continue  # another run recorded (and sent) it
            sent += 1
    return sent


# --- "The report is published" mails ----------------------------------------------------

# Addresses a subscription gives (email, its unsubscribe URL); subscriptions, above this
# app, registers the source from its ready().
AudienceSource = Callable[[Consultation], list[tuple[str, str]]]
_audience_sources: list[AudienceSource] = []


def audience_source_register(source: AudienceSource) -> None:
    if source not in _audience_sources:
        _audience_sources.append(source)


OPT_OUT_PURPOSE = "report-opt-out"
MAIL_BATCH = 300
MAIL_MAX_ATTEMPTS = 5


def report_mails_plan(*, version_id: int) -> int:
    """One ReportMail per address: subscribers of the consultation and participants who left
    an e-mail, minus those who opted out. The unique constraint makes it once per address."""
    version = ReportVersion.objects.select_related("consultation").get(pk=version_id)
    consultation = version.consultation
    audience: dict[str, str] = {email: "" for email in builder.participant_emails_of(consultation)}
    for source in _audience_sources:
        for email, unsubscribe_url in source(consultation):
            audience[email.strip().lower()] = unsubscribe_url
    opted_out = set(
        ReportOptOut.objects.filter(email__in=list(audience)).values_list("email", flat=True)
    )
    rows = [
        ReportMail(version=version, email=email, unsubscribe_url=url)
        for email, url in sorted(audience.items())
        if email not in opted_out
    ]
    ReportMail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def report_mails_deliver(*, version_id: int, batch_size: int = MAIL_BATCH) -> int:
    """Send the planned, unsent mails of a version through the common outbox (each row
    locked, re-checked, sent and stamped in its own transaction); returns mails sent."""
    municipality = municipality_current()
    base = municipality.site_url.rstrip("/")
    version = ReportVersion.objects.select_related("consultation").get(pk=version_id)
    consultation = version.consultation
    page = base + reverse("report_page", kwargs={"slug": consultation.slug})

    def message_for(mail: ReportMail) -> EmailMessage:
        unsubscribe = mail.unsubscribe_url or base + reverse(
            "report_opt_out",
            kwargs={"token": row_token(OPT_OUT_PURPOSE, mail.pk, mail.opt_out_key)},
        )
        return EmailMessage(
            subject=_("%(name)s: the report on the consultation is published – %(title)s")
            % {"name": municipality.name, "title": consultation.title},
            body=_(
                "The report on the consultation “%(title)s” has been published:\n"
                "%(url)s\n\nYou receive this message because you took part in the "
                "consultation or follow the municipality's consultations. To receive "
                "no more such messages:\n%(unsubscribe)s\n"
            )
            % {"title": consultation.title, "url": page, "unsubscribe": unsubscribe},
            from_email=_sender(municipality.name),
            to=[mail.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "Auto-Submitted": "auto-generated",
            },
        )

    return outbox_deliver(
        ReportMail.objects.filter(
            version=version, sent_at__isnull=True, attempts__lt=MAIL_MAX_ATTEMPTS
        ),
        batch_size=batch_size,
        message_for=message_for,
    )


@transaction.atomic
def report_opt_out(*, mail_id: int, key: str) -> bool:
    """Record the address of mail ``mail_id`` as opted out, if ``key`` is that mail's own."""
    mail = ReportMail.objects.filter(pk=mail_id).first()
    if mail is None or not constant_time_compare(mail.opt_out_key, key):
        return False
    ReportOptOut.objects.get_or_create(email=mail.email)
    return True


REMINDER_WINDOW = timedelta(days=1)
