"""The consultation report: the coordinator's part, generation jobs, frozen versions, files.

Every table lives in the municipality's schema. A published version is never changed: a
correction is a new version (an erratum) with its date and note, and every earlier version
stays readable.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


class Report(models.Model):
    """What the coordinator writes: the conclusions (safe HTML) and, later, the effects."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="report"
    )
    # Sanitised with nh3 on every save (reports.services.conclusions_clean); never raw input.
    conclusions_html = models.TextField(_("conclusions"), blank=True)
    effects_text = models.TextField(_("effects of the consultation"), blank=True)
    effects_url = models.URLField(_("link to the final act"), blank=True)
    effects_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"report of {self.consultation_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportVersion(models.Model):
    """A frozen report: the data snapshot it was rendered from. Number 1 is the report as
    first published; each later number is a dated erratum with its note. A version with
    ``published_at`` NULL is the coordinator's preview (the latest generation)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="report_versions"
    )
    number = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict)
    erratum_note = models.TextField(_("what the erratum corrects"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The job that renders the files, with the progress staff see.
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"],
                condition=models.Q(number__isnull=False),
                name="report_version_number_once",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.consultation_id} v{self.number or 'preview'}"

    @property
    def is_erratum(self) -> bool:
        return bool(self.number and self.number > 1)


class ReportFile(models.Model):
    """One format of one version, kept in the database (tenant schema) and served by a view
    that checks who may read it: a preview only to staff, a published version to everyone."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=8)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "format"], name="report_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}.{self.format}"


class ReportReminder(models.Model):
    """A deadline reminder sent to the coordinators: once per consultation and lead time,
    by the unique constraint (two workers racing insert one row)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="report_reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "days_before"], name="report_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} -{self.days_before} d"


def opt_out_key_new() -> str:
    return secrets.token_urlsafe(16)


class ReportMail(models.Model):
    """A "the report is published" mail to one address: once per version and address. Its
    opt-out link carries ``opt_out_key``, a random key of this row: a link is void once the
    key is replaced, and a forged row id alone opts nobody out."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="mails")
    email = models.EmailField()
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    opt_out_key = models.CharField(max_length=32, default=opt_out_key_new)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "email"], name="report_mail_once"),
        ]

    def __str__(self) -> str:
        return f"mail {self.pk}"


class ReportOptOut(models.Model):
    """An address that asked for no more report mails (participants who are not subscribers
    unsubscribe here; subscribers through their subscription)."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.pk}"
