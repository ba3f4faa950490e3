"""The legal rules a consultation follows, as data: one row per legal basis and version.

Provider-wide, so the table lives in the public schema (a shared app). Tenant tables never
hold a foreign key to it: a consultation keeps a JSON copy of the version in force when it
was ordered (``LegalRuleSet.snapshot()``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """The legal templates a consultation follows; each has its versions of rules here."""

    COUNCIL_RESOLUTION = (
        "art5a",
        _("Council resolution (art. 5a of the municipal self-government act)"),
    )
    REVITALISATION = "revitalisation", _("Revitalisation act, art. 6")
    SPATIAL_PLANNING = "spatial_planning", _("Spatial planning act, art. 8e–8m (general plan)")
    NGO_PROGRAMME = "ngo_programme", _("Annual programme of cooperation with NGOs")
    OTHER = "other", _("Other")


class CountedFrom(models.TextChoices):
    START = "start", _("from the start of the consultation")
    ANNOUNCEMENT = "announcement", _("from the announcement")


class Channel(models.TextChoices):
    """Where the announcement of a consultation is published."""

    BIP = "bip", _("Public Information Bulletin (BIP)")
    NOTICE_BOARD = "notice_board", _("Notice board")
    PRESS = "press", _("Local press")
    WEBSITE = "website", _("Website")
    SOCIAL_MEDIA = "social_media", _("Social media")


class LegalRuleSet(models.Model):
    """One version of the rules of one legal basis, in force from ``valid_from``.

    Every rule carries the provision it comes from, which every check names in its message.
    An empty rule (no minimum, no forms, no channels) means the act sets none."""

    legal_basis = models.CharField(_("legal basis"), max_length=32, choices=LegalBasis.choices)
    valid_from = models.DateField(_("in force from"))
    act = models.CharField(_("act"), max_length=300)
    journal_reference = models.CharField(
        _("Journal of Laws reference"), max_length=200, help_text=_("E.g. Dz.U. 2024 poz. 278.")
    )
    source_url = models.URLField(_("link to the text"), blank=True)
    # The municipality's own council resolution supplies the parameters (art. 5a u.s.g.).
    from_council_resolution = models.BooleanField(
        _("parameters come from the municipality's council resolution"), default=False
    )
    min_duration_days = models.PositiveSmallIntegerField(
        _("minimum duration (days)"), null=True, blank=True
    )
    duration_counted_from = models.CharField(
        _("duration counted"), max_length=16, choices=CountedFrom.choices, default=CountedFrom.START
    )
    duration_article = models.CharField(_("provision on the duration"), max_length=120, blank=True)
    min_notice_days = models.PositiveSmallIntegerField(
        _("minimum notice (days before the start day)"), default=0
    )
    notice_article = models.CharField(_("provision on the notice"), max_length=120, blank=True)
    required_forms = models.JSONField(_("forms required"), default=list, blank=True)
    other_forms = models.JSONField(_("other forms that count"), default=list, blank=True)
    min_other_forms = models.PositiveSmallIntegerField(
        _("at least this many other forms"), default=0
    )
    forms_article = models.CharField(_("provision on the forms"), max_length=120, blank=True)
    remark_author_fields = models.JSONField(
        _("author details a remark must carry"), default=list, blank=True
    )
    anonymous_remarks_count = models.BooleanField(_("anonymous remarks count"), default=True)
    remarks_article = models.CharField(_("provision on remarks"), max_length=120, blank=True)
    report_deadline_days = models.PositiveSmallIntegerField(
        _("report due (days after closing)"), null=True, blank=True
    )
    report_article = models.CharField(_("provision on the report"), max_length=120, blank=True)
    # A seasonal deadline: the consultation must end by this day and month of the year it
    # starts in (the NGO programme is adopted by 30 November of the year before).
    season_end_month = models.PositiveSmallIntegerField(
        _("must end by (month)"), null=True, blank=True
    )
    season_end_day = models.PositiveSmallIntegerField(_("must end by (day)"), null=True, blank=True)
    season_article = models.CharField(
        _("provision on the seasonal deadline"), max_length=120, blank=True
    )
    draft_required = models.BooleanField(_("a draft document is required"), default=False)
    draft_article = models.CharField(_("provision on the draft"), max_length=120, blank=True)
    required_channels = models.JSONField(
        _("announcement channels required"), default=list, blank=True
    )
    channels_article = models.CharField(
        _("provision on the announcement"), max_length=120, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("legal rule set")
        verbose_name_plural = _("legal rule sets")
        ordering = ["legal_basis", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_basis", "valid_from"], name="ruleset_one_version_a_day"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(season_end_month__isnull=True, season_end_day__isnull=True)
                    | models.Q(
                        season_end_month__gte=1,
                        season_end_month__lte=12,
                        season_end_day__gte=1,
                        season_end_day__lte=31,
                    )
                ),
                name="ruleset_season_is_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_basis} od {self.valid_from:%d.%m.%Y}"

    @property
    def source(self) -> str:
        """The act and its Journal of Laws reference, as the messages cite it."""
        return f"{self.act} ({self.journal_reference})"

    @property
    def required_channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.required_channels]

    def snapshot(self) -> dict[str, Any]:
        """What a consultation keeps of this version when it is ordered: plain JSON."""
        return {
            "id": self.pk,
            "legal_basis": self.legal_basis,
            "valid_from": self.valid_from.isoformat(),
            "source": self.source,
            "source_url": self.source_url,
            "from_council_resolution": self.from_council_resolution,
            "min_duration_days": self.min_duration_days,
            "duration_counted_from": self.duration_counted_from,
            "duration_article": self.duration_article,
            "min_notice_days": self.min_notice_days,
            "notice_article": self.notice_article,
            "required_forms": list(self.required_forms),
            "other_forms": list(self.other_forms),
            "min_other_forms": self.min_other_forms,
            "forms_article": self.forms_article,
            "remark_author_fields": list(self.remark_author_fields),
            "anonymous_remarks_count": self.anonymous_remarks_count,
            "remarks_article": self.remarks_article,
            "report_deadline_days": self.report_deadline_days,
            "report_article": self.report_article,
            "season_end_month": self.season_end_month,
            "season_end_day": self.season_end_day,
            "season_article": self.season_article,
            "draft_required": self.draft_required,
            "draft_article": self.draft_article,
            "required_channels": list(self.required_channels),
            "channels_article": self.channels_article,
        }
