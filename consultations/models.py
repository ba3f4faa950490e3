"""A municipality's own data. Every table here lives in the municipality's schema."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour such as #1f4e79."))


def coat_of_arms_path(instance: SiteSettings, filename: str) -> str:
    # The tenant storage puts this under MEDIA_ROOT/<schema_name>/.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"branding/coat-of-arms.{extension}"


class SiteSettings(models.Model):
    """The municipality's branding and legal texts: one row per schema (pk=1)."""

    coat_of_arms = models.ImageField(
        _("coat of arms"), upload_to=coat_of_arms_path, blank=True, max_length=200
    )
    primary_colour = models.CharField(
        _("main colour"), max_length=7, default="#1f4e79", validators=[HEX_COLOUR]
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_single")
        ]

    def __str__(self) -> str:
        return "site settings"


class ConsultationStatus(models.TextChoices):
    """draft → ordered → scheduled → open → closed → report published → archived."""

    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered (awaiting payment)")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")
    ARCHIVED = "archived", _("Archived")


class Consultation(models.Model):
    """A public consultation run by the municipality.

    The billing app (public schema) refers to a consultation by (schema name, id) only; it
    records payment here through consultations.services.consultation_payment_clear().
    """

    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
        db_index=True,
    )
    starts_at = models.DateTimeField(_("start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    # Set once the order is paid, or approved by provider staff for payment by transfer.
    payment_cleared_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
