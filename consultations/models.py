"""A municipality's own data. Every table here lives in the municipality's schema."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The legal bases live with their rule sets (a shared app); re-exported for this app's callers.
from rulesets.models import LegalBasis

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour such as #1f4e79."))


class AccessibilityStatus(models.TextChoices):
    """The three statuses of the ministry's template (decision (EU) 2018/1523)."""

    COMPLIANT = "compliant", _("fully compliant")
    PARTLY = "partly", _("partially compliant")
    NONCOMPLIANT = "non", _("not compliant")


class AccessibilityAssessment(models.TextChoices):
    SELF = "self", _("self-assessment by the public body")
    AUDIT = "audit", _("assessment by a third party (audit)")


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

    # --- The privacy notice (RODO art. 13, and art. 14 where data come from someone else) ---
    # Empty fields fall back to the municipality's own data (consultations/legal_texts.py);
    # what no data can give (the DPO's contact, the office's address) is a gap staff see.
    controller_name = models.CharField(_("data controller"), max_length=300, blank=True)
    controller_address = models.CharField(
        _("controller's postal address"), max_length=300, blank=True
    )
    controller_email = models.EmailField(_("controller's e-mail"), blank=True)
    dpo_email = models.EmailField(_("data protection officer's e-mail"), blank=True)
    dpo_phone = models.CharField(_("data protection officer's phone"), max_length=50, blank=True)
    privacy_retention = models.TextField(_("how long data are kept"), blank=True)
    privacy_recipients = models.TextField(_("recipients of the data"), blank=True)
    privacy_extra = models.TextField(_("other information"), blank=True)
    privacy_updated_at = models.DateTimeField(null=True, blank=True)

    # --- The accessibility statement (ustawa o dostępności cyfrowej, art. 10) ---------------
    a11y_published_on = models.DateField(_("date the site was published"), null=True, blank=True)
    a11y_updated_on = models.DateField(_("date of the last major update"), null=True, blank=True)
    a11y_status = models.CharField(
        _("compliance status"), max_length=12, choices=AccessibilityStatus.choices, blank=True
    )
    a11y_noncompliance = models.TextField(_("content that is not accessible"), blank=True)
    a11y_exclusions = models.TextField(_("exclusions"), blank=True)
    a11y_prepared_on = models.DateField(_("date the statement was prepared"), null=True, blank=True)
    a11y_reviewed_on = models.DateField(
        _("date of the last review and update"), null=True, blank=True
    )
    a11y_assessment = models.CharField(
        _("how accessibility was assessed"),
        max_length=8,
        choices=AccessibilityAssessment.choices,
        default=AccessibilityAssessment.SELF,
    )
    a11y_audit_url = models.URLField(_("link to the audit report"), max_length=500, blank=True)
    a11y_contact_name = models.CharField(
        _("person responsible for accessibility"), max_length=200, blank=True
    )
    a11y_contact_email = models.EmailField(_("accessibility contact e-mail"), blank=True)
    a11y_contact_phone = models.CharField(
        _("accessibility contact phone"), max_length=50, blank=True
    )
    a11y_architectural = models.TextField(
        _("architectural accessibility of the office"), blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_single")
        ]

    def __str__(self) -> str:
        return "site settings"


class AccessibilityReviewReminder(models.Model):
    """The yearly reminder to review the accessibility statement before 31 March: one row a
    year in the municipality's schema, so the unique year makes "sent once a year" true
    however many runs of the beat task race or are retried."""

    year = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return str(self.year)


def ends_after_start(name: str) -> models.CheckConstraint:
    """A period whose end, when both ends are set, comes after its start."""
    return models.CheckConstraint(
        condition=models.Q(starts_at__isnull=True)
        | models.Q(ends_at__isnull=True)
        | models.Q(ends_at__gt=models.F("starts_at")),
        name=name,
    )


class ConsultationStatus(models.TextChoices):
    """draft → ordered → scheduled → open → closed → report published → archived."""

    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered (awaiting payment)")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")
    ARCHIVED = "archived", _("Archived")


class Department(models.Model):
    """A department of the city hall (wydział) that organises consultations."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # Coordinators (role "coordinator") run the consultations of the departments they are in.
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_departments",
        blank=True,
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A district or housing estate (dzielnica, osiedle) a consultation or news item is about."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # GeoJSON text, checked to parse as a Polygon/MultiPolygon/Feature before it is saved.
    outline = models.TextField(_("outline (GeoJSON)"), blank=True)
    # District council editors publish news for the areas they are bound to.
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("district council editors"),
        related_name="edited_areas",
        blank=True,
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """A public consultation run by the municipality.

    The billing app (public schema) refers to a consultation by (schema name, id) only; it
    records payment here through consultations.services.consultation_payment_clear().
    """

    title = models.CharField(_("title"), max_length=250)
    # Unique in the table, and so per municipality: each has its own schema.
    slug = models.SlugField(_("address (slug)"), max_length=100, unique=True)
    summary = models.TextField(_("summary in plain language"), blank=True)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=32,
        choices=LegalBasis.choices,
        default=LegalBasis.COUNCIL_RESOLUTION,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("organising department"),
        on_delete=models.PROTECT,
        related_name="consultations",
        null=True,
        blank=True,
    )
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas"), related_name="consultations", blank=True
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), related_name="consultations", blank=True
    )
    target_groups = models.CharField(
        _("target groups"), max_length=500, blank=True, help_text=_("Separate with commas.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
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
    ordered_at = models.DateTimeField(null=True, blank=True)
    # The day residents are told of it (the announcement the revitalisation act counts from).
    scheduled_at = models.DateTimeField(_("announced"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The legal rule set in force on the day it was ordered (rulesets.LegalRuleSet.snapshot(),
    # merged with the council resolution where the basis defers to it): later versions of the
    # rules never change a consultation already ordered.
    rules_snapshot = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The coordinator confirmed, when scheduling, that the announcement will be published in
    # the channels not yet recorded (also in the audit log).
    channels_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The duration band paid for (billing records it when the payment clears), and the one
    # move of the dates a late payment allows within it.
    paid_min_days = models.PositiveIntegerField(null=True, blank=True)
    paid_max_days = models.PositiveIntegerField(null=True, blank=True)
    dates_moved_at = models.DateTimeField(null=True, blank=True)
    report_text = models.TextField(_("results and report"), blank=True)
    report_published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at"]
        constraints = [ends_after_start("consultation_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def target_group_list(self) -> list[str]:
        return [tag.strip() for tag in self.target_groups.split(",") if tag.strip()]


class ParticipationForm(models.Model):
    """One way residents take part in one consultation: a row per registered kind in use
    (Decidim's component in a space, adhocracy4's module in a project).

    ``kind`` names a kind of the registry in ``consultations.participation``; a row whose kind
    is not registered (its app is not installed yet) stays, and is shown to staff as not
    available. The form's own window, when set, lies inside the consultation's dates; without
    it the form follows the consultation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participation_forms"
    )
    kind = models.CharField(_("kind"), max_length=40)
    starts_at = models.DateTimeField(_("own start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("own end"), null=True, blank=True)
    # What the kind's app configures per form (e.g. whether replies are allowed); the kind
    # owns its meaning, consultations only stores it.
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("form of participation")
        verbose_name_plural = _("forms of participation")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind"], name="participation_form_kind_once"
            ),
            ends_after_start("participation_form_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.consultation_id})"

    @property
    def window_starts_at(self) -> datetime | None:
        return self.starts_at or self.consultation.starts_at

    @property
    def window_ends_at(self) -> datetime | None:
        return self.ends_at or self.consultation.ends_at

    def is_open_at(self, now: datetime) -> bool:
        """Residents may use the form: the consultation is open and ``now`` lies in the
        form's window (its own, else the consultation's), start included, end excluded."""
        if self.consultation.status != ConsultationStatus.OPEN:
            return False
        start, end = self.window_starts_at, self.window_ends_at
        return (start is None or start <= now) and (end is None or now < end)

    def phase_at(self, now: datetime) -> str:
        """ "before", "open" or "after": what the consultation page says about the form."""
        if self.is_open_at(now):
            return "open"
        status = self.consultation.status
        if status in BEFORE_OPEN_STATUSES:
            return "before"
        start = self.window_starts_at
        if status == ConsultationStatus.OPEN and start is not None and now < start:
            return "before"
        return "after"


# Until the consultation opens, every form is still to come.
BEFORE_OPEN_STATUSES = frozenset(
    {ConsultationStatus.DRAFT, ConsultationStatus.ORDERED, ConsultationStatus.SCHEDULED}
)


class AuditEvent(models.Model):
    """Who did what to what, and when (as Zulip's RealmAuditLog). Written only through
    ``consultations.services.audit_record`` inside the transaction of the change itself.

    The actor is an id plus a snapshot of the e-mail, not a foreign key: provider staff act
    from the public schema (their id is not a user of this schema), and the row must outlive
    an account that is later anonymised or removed."""

    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.SlugField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64, blank=True)
    consultation = models.ForeignKey(
        Consultation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "-created_at"], name="audit_consultation")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


def document_path(instance: Document, filename: str) -> str:
    # The tenant storage puts this under MEDIA_ROOT/<schema_name>/; a random name keeps
    # drafts' files from being guessed.
    return f"consultations/{instance.consultation_id}/{uuid.uuid4().hex}.{instance.kind}"


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    ODT = "odt", "ODT"


class DocumentRole(models.TextChoices):
    # A file staff attached (draft act, map, study), or the announcement generated from the
    # consultation's data (consultations.notice), kept as PDF and ODT.
    ATTACHED = "attached", _("attached document")
    NOTICE = "notice", _("announcement")


# From scheduling on, residents rely on what they read: a document is never deleted or
# overwritten, a correction is a new version with a public change note (issue 8).
DOCUMENTS_FROZEN_STATUSES = frozenset(
    {
        ConsultationStatus.SCHEDULED,
        ConsultationStatus.OPEN,
        ConsultationStatus.CLOSED,
        ConsultationStatus.REPORT_PUBLISHED,
        ConsultationStatus.ARCHIVED,
    }
)


class Document(models.Model):
    """One version of a file residents can download from the consultation page (draft act,
    map, report, the announcement).

    Versions of one document share ``first_version`` (the row of version 1, which has none);
    each later version carries a change note residents read. Rows are never updated in
    place once the consultation is scheduled: ``consultations.services.documents``."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("document title"), max_length=250)
    file = models.FileField(_("file"), upload_to=document_path, max_length=250)
    kind = models.CharField(max_length=8, choices=DocumentKind.choices)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=250)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    role = models.CharField(
        max_length=16, choices=DocumentRole.choices, default=DocumentRole.ATTACHED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    first_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="later_versions",
        null=True,
        blank=True,
    )
    change_note = models.TextField(_("what has changed"), blank=True)
    # For the generated announcement: a digest of the text it was drawn from, so that it is
    # drawn again only when the consultation's data changed.
    source_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            # Two corrections made at once cannot both become "version 2".
            models.UniqueConstraint(
                fields=["first_version", "version"], name="document_version_once"
            ),
            models.CheckConstraint(
                condition=(models.Q(version=1) & models.Q(first_version__isnull=True))
                | (models.Q(version__gt=1) & models.Q(first_version__isnull=False)),
                name="document_version_has_first",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def lineage_id(self) -> int:
        """The id of version 1: what every version of this document shares."""
        return self.first_version_id or self.pk


class News(models.Model):
    """A news item (aktualność); district council editors publish them for their area."""

    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"))
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="news",
        null=True,
        blank=True,
        help_text=_("Leave empty for news about the whole municipality."),
    )
    published_at = models.DateTimeField(_("published"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


def publication_proof_path(instance: AnnouncementPublication, filename: str) -> str:
    # The tenant storage puts this under MEDIA_ROOT/<schema_name>/; a random name.
    extension = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"consultations/{instance.consultation_id}/announcement/{uuid.uuid4().hex}.{extension}"


class AnnouncementPublication(models.Model):
    """Where and when the announcement of a consultation was published, with the proof (a
    file or a link). The rule set names the channels that must be recorded."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="announcement_publications"
    )
    # A code of rulesets.models.Channel.
    channel = models.CharField(_("channel"), max_length=20)
    published_on = models.DateField(_("published on"))
    proof_file = models.FileField(
        _("proof (file)"), upload_to=publication_proof_path, max_length=250, blank=True
    )
    proof_url = models.URLField(_("proof (link)"), max_length=500, blank=True)
    recorded_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement publication")
        verbose_name_plural = _("announcement publications")
        ordering = ["published_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(proof_file="") | ~models.Q(proof_url=""),
                name="announcement_publication_has_proof",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.published_on}"


class CouncilResolution(models.Model):
    """The municipality's own council resolution on consultations with residents (art. 5a
    ust. 2 of the municipal self-government act): one row per schema (pk=1). A consultation
    whose legal basis is "council resolution" follows the parameters recorded here."""

    number = models.CharField(_("resolution number"), max_length=100, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    url = models.URLField(_("link to the resolution"), max_length=500, blank=True)
    min_duration_days = models.PositiveSmallIntegerField(
        _("minimum duration (days)"), null=True, blank=True
    )
    min_notice_days = models.PositiveSmallIntegerField(
        _("minimum notice (days before the start day)"), default=0
    )
    required_forms = models.JSONField(_("forms required"), default=list, blank=True)
    required_channels = models.JSONField(
        _("announcement channels required"), default=list, blank=True
    )
    report_deadline_days = models.PositiveSmallIntegerField(
        _("report due (days after closing)"), null=True, blank=True
    )
    draft_required = models.BooleanField(_("a draft document is required"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("council resolution on consultations")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="council_resolution_single")
        ]

    def __str__(self) -> str:
        return self.number or "council resolution"

    @property
    def is_recorded(self) -> bool:
        return bool(self.number and self.adopted_on)
