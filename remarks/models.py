"""The register of remarks: one table for every remark of a consultation, whatever its channel.

Every table lives in the municipality's schema. Files (residents' attachments, scans of paper
remarks) are kept in a private storage outside MEDIA_ROOT and are served only to staff.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from remarks.storage import private_storage


class Channel(models.TextChoices):
    ONLINE = "online", _("Online remark form")
    DRAFT_COMMENT = "draft_comment", _("Comment on the draft")
    PAPER = "paper", _("On paper")
    EMAIL = "email", _("By e-mail")
    EPUAP = "epuap", _("Through ePUAP")
    MEETING = "meeting", _("At a consultation meeting")
    SURVEY = "survey", _("From a survey answer")


# Channels a clerk enters from an original that arrived elsewhere.
STAFF_CHANNELS = (Channel.PAPER, Channel.EMAIL, Channel.EPUAP, Channel.MEETING)


class AuthorKind(models.TextChoices):
    PERSON = "person", _("A private person")
    ORGANISATION = "organisation", _("An organisation")
    ANONYMOUS = "anonymous", _("Anonymous")


class RemarkState(models.TextChoices):
    # Sent with an e-mail address that has not yet been confirmed from the link.
    PENDING = "pending", _("Awaiting e-mail confirmation")
    REGISTERED = "registered", _("Registered")


class Visibility(models.TextChoices):
    """What the public sees of the remark's text (personal data are never public)."""

    AWAITING = "awaiting", _("Awaiting moderation")
    PUBLISHED = "published", _("Public")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class FormalIssueCode(models.TextChoices):
    LATE = "late", _("Late (after the end)")
    OUTSIDE_SUBJECT = "outside_subject", _("Outside the subject of the consultation")
    INCOMPLETE = "incomplete", _("Incomplete")
    ANONYMOUS = "anonymous", _("Anonymous where a name is required")


def attachment_path(instance: Remark, filename: str) -> str:
    return f"remarks/{instance.consultation_id}/{uuid.uuid4().hex}.{instance.attachment_kind}"


def scan_path(instance: Remark, filename: str) -> str:
    return f"scans/{instance.consultation_id}/{uuid.uuid4().hex}.{instance.scan_kind}"


class ReferenceCounter(models.Model):
    """The last reference number given in a year, in this municipality (its schema).

    Incremented by one UPSERT in the transaction that registers the remark: a rolled-back
    registration gives its number back, two concurrent ones wait for each other's row lock.
    """

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DraftUnit(models.Model):
    """A numbered unit of the consulted draft ("§ 3 ust. 2") that residents comment on."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="draft_units"
    )
    position = models.PositiveIntegerField()
    label = models.CharField(_("unit"), max_length=100)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="draft_unit_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class RemarkGroup(models.Model):
    """Identical or near-identical remarks answered by one response; every remark stays."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="remark_groups"
    )
    title = models.CharField(_("group name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Remark(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="remarks"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(max_length=12, choices=RemarkState.choices)
    # "UW/2026/0042": given when the remark is registered; unique in the schema.
    reference = models.CharField(_("reference number"), max_length=32, null=True, unique=True)
    # Sent with the form (a UUID made when the form is shown): the same submission twice,
    # or fifty times at once, is one remark. The unique index makes that so, not a look-up.
    idempotency_key = models.UUIDField(unique=True)

    # What the remark is about.
    unit = models.ForeignKey(
        DraftUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="remarks"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    document_part = models.CharField(_("part of the document"), max_length=300, blank=True)
    current_wording = models.TextField(_("current wording"), blank=True)
    proposed_wording = models.TextField(_("proposed wording"), blank=True)
    justification = models.TextField(_("justification"), blank=True)

    # Who sent it (personal data: staff only, never public).
    author_kind = models.CharField(_("author"), max_length=16, choices=AuthorKind.choices)
    author_name = models.CharField(_("first name and surname"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="remarks",
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    # E-mail confirmation (only the SHA-256 of the link's token is stored).
    confirmation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    attachment = models.FileField(
        storage=private_storage, upload_to=attachment_path, max_length=250, blank=True
    )
    attachment_kind = models.CharField(max_length=8, blank=True)
    attachment_name = models.CharField(max_length=250, blank=True)

    # Entered by staff from an original received elsewhere.
    received_on = models.DateField(_("date received"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    scan = models.FileField(
        storage=private_storage, upload_to=scan_path, max_length=250, blank=True
    )
    scan_kind = models.CharField(max_length=8, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A resident's free text promoted from another form of participation (a survey's open
    # answer): the kind's stable key of that text ("survey:answer:42"), unique, so that one
    # text enters the register once however often or concurrently it is promoted, and where
    # it was written, for staff.
    source_key = models.CharField(max_length=100, blank=True)
    source_label = models.CharField(_("source"), max_length=600, blank=True)

    # For a remark made at a meeting (channel "meeting"): the event, as the participation
    # registry names it (consultations.participation.events). An id and a label, not a
    # foreign key: meetings is a sibling app that remarks never imports; the label keeps
    # the event named even if it is later deleted.
    meeting_event_id = models.PositiveBigIntegerField(null=True, blank=True)
    meeting_event_label = models.CharField(_("event"), max_length=400, blank=True)

    submitted_at = models.DateTimeField(_("sent"))
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)

    group = models.ForeignKey(
        RemarkGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="remarks"
    )
    formally_defective = models.BooleanField(_("formal defects"), default=False)

    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Set by residents' flags and by the banned-word list; cleared when a moderator decides.
    needs_review = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["consultation", "registered_at", "pk"]
        indexes = [
            models.Index(fields=["consultation", "state", "channel"]),
            models.Index(fields=["consultation", "unit"]),
            # The register page walks a consultation's registered remarks in this order and
            # stops after a page: with this index PostgreSQL reads 100 rows, not all of them.
            models.Index(
                fields=["consultation", "state", "registered_at", "id"],
                name="remark_register_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(reference__isnull=False),
                name="remark_registered_has_reference",
            ),
            # A remark from a meeting always names the event it was made at.
            models.CheckConstraint(
                condition=~models.Q(channel="meeting") | ~models.Q(meeting_event_label=""),
                name="remark_meeting_names_the_event",
            ),
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="remark_promoted_once",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def is_late(self) -> bool:
        return any(issue.code == FormalIssueCode.LATE for issue in self.formal_issues.all())

    def public_author(self) -> str:
        """What the public reads as the author: an organisation's name, never a person's."""
        if self.author_kind == AuthorKind.ORGANISATION and self.organisation_name:
            return self.organisation_name
        return (
            str(_("Private person"))
            if self.author_kind == AuthorKind.PERSON
            else str(_("Anonymous"))
        )


class FormalIssue(models.Model):
    """A formal defect found in a remark, with the rule that applied when it was found."""

    remark = models.ForeignKey(Remark, on_delete=models.CASCADE, related_name="formal_issues")
    code = models.CharField(max_length=20, choices=FormalIssueCode.choices)
    # The rule as it read when applied, e.g. "Koniec przyjmowania uwag: 1 grudnia 2026, 23:59".
    rule = models.CharField(_("rule that applied"), max_length=500)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # None when found by the system at registration.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["remark", "code"], name="formal_issue_once_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.remark_id}: {self.code}"


class Response(models.Model):
    """The reasoned response (rozpatrzenie uwagi) to one remark or to a group of remarks.

    Drafted by a coordinator; public only once a second staff member has approved it.
    """

    remark = models.OneToOneField(
        Remark, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )
    group = models.OneToOneField(
        RemarkGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    justification = models.TextField(_("justification"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(remark__isnull=False) & models.Q(group__isnull=True))
                | (models.Q(remark__isnull=True) & models.Q(group__isnull=False)),
                name="response_to_a_remark_or_a_group",
            ),
            models.CheckConstraint(
                condition=models.Q(justification__regex=r"[^\s]"),
                name="response_justification_not_blank",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("drafted_by")),
                name="response_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Flag(models.Model):
    """A resident's report of a public remark or comment, or the banned-word list's."""

    remark = models.ForeignKey(Remark, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=300)
    automatic = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.reason


class Support(models.Model):
    """A signed-in resident supports a comment on the draft, once."""

    remark = models.ForeignKey(Remark, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["remark", "user"], name="support_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.remark_id} ← {self.user_id}"
