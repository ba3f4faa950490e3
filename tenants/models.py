"""Municipalities (tenants), their domains, and the provider's log of what was done to them.

These tables live in the public schema. Nothing in a tenant schema points here by foreign key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tenants.models import DomainMixin, TenantMixin


class MunicipalityKind(models.TextChoices):
    GMINA = "gmina", _("Municipality (gmina)")
    MIASTO = "miasto", _("City (miasto)")
    POWIAT = "powiat", _("County (powiat)")
    WOJEWODZTWO = "wojewodztwo", _("Voivodeship (województwo)")
    ZWIAZEK = "zwiazek", _("Union or metropolis (związek/metropolia)")


class MunicipalityStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    FAILED = "failed", _("Provisioning failed")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived (read-only)")


class Municipality(TenantMixin):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MunicipalityKind.choices)
    teryt = models.CharField(_("TERYT code"), max_length=7, blank=True)
    nip = models.CharField(_("NIP"), max_length=10, unique=True, null=True, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    first_admin_email = models.EmailField(_("first administrator's e-mail"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MunicipalityStatus.choices,
        default=MunicipalityStatus.PROVISIONING,
        db_index=True,
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    provisioning_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    # The version of what the municipality's residents see: bumped, in the same transaction,
    # by every change that a public page shows (consultations/page_cache.py), and read with the
    # municipality itself on every request, so a cached page's key changes exactly when the
    # data does. Written only by `municipality_page_version_bump` (an UPDATE ... + 1): a full
    # save() of a stale object would set it back.
    page_version = models.BigIntegerField(default=0, editable=False)

    # Schemas are created by the provisioning task, never inside a web request.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ready(self) -> bool:
        """The schema exists and holds the municipality's data."""
        return self.status in {
            MunicipalityStatus.ACTIVE,
            MunicipalityStatus.SUSPENDED,
            MunicipalityStatus.ARCHIVED,
        }

    @property
    def primary_host(self) -> str:
        domain = self.get_primary_domain()
        return domain.domain if domain else ""

    @property
    def site_url(self) -> str:
        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        return f"{settings.PLATFORM_SCHEME}://{self.primary_host}{port}/"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class MunicipalityEvent(models.Model):
    """The provider's audit log: who did what to a municipality, and when."""

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("event", "Created")
        PROVISIONED = "provisioned", pgettext_lazy("event", "Provisioned")
        PROVISIONING_FAILED = "provisioning_failed", pgettext_lazy("event", "Provisioning failed")
        PROVISIONING_RETRIED = (
            "provisioning_retried",
            pgettext_lazy("event", "Provisioning retried"),
        )
        SUSPENDED = "suspended", pgettext_lazy("event", "Suspended")
        REACTIVATED = "reactivated", pgettext_lazy("event", "Reactivated")
        ARCHIVED = "archived", pgettext_lazy("event", "Archived")
        INVITED = "invited", pgettext_lazy("event", "Administrator invited")
        INVITATION_RESENT = (
            "invitation_resent",
            pgettext_lazy("event", "Administrator's invitation sent again"),
        )
        UPDATED = "updated", pgettext_lazy("event", "Details changed")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32, choices=Action.choices)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.action}"
