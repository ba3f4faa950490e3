"""Meetings, debates, workshops, study walks and consultation points of a consultation, and
residents' sign-ups to them. Every table lives in the municipality's schema."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


class EventType(models.TextChoices):
    """The forms of participation the revitalisation and planning acts name."""

    MEETING = "meeting", _("Consultation meeting")
    DEBATE = "debate", _("Debate")
    WORKSHOP = "workshop", _("Workshop")
    STUDY_WALK = "study_walk", _("Study walk")
    CONSULTATION_POINT = "consultation_point", _("Consultation point")
    ONLINE = "online", _("Online meeting")
    HYBRID = "hybrid", _("Hybrid meeting (on site and online)")


# Types that happen at a place (accessibility of the venue matters) and online (a link).
ON_SITE_TYPES = frozenset(set(EventType.values) - {EventType.ONLINE})
ONLINE_TYPES = frozenset({EventType.ONLINE, EventType.HYBRID})


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Planned")
    CANCELLED = "cancelled", _("Called off")


def minutes_path(instance: Event, filename: str) -> str:
    # The tenant storage puts this under MEDIA_ROOT/<schema_name>/; a random name is not
    # guessable.
    import uuid

    return f"meetings/{instance.pk}/{uuid.uuid4().hex}.{instance.minutes_kind}"


class Event(models.Model):
    """One event of a consultation: when, where (and how accessible), or online."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="meeting_events"
    )
    event_type = models.CharField(_("type"), max_length=24, choices=EventType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description in plain language"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=300,
        blank=True,
        help_text=_("For a consultation point, e.g. “Mon–Fri 8:00–18:00, Sat 10:00–14:00”."),
    )
    venue = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    induction_loop = models.BooleanField(_("induction loop"), default=False)
    interpreter_on_request = models.BooleanField(
        _("sign-language interpreter on request"), default=False
    )
    accessibility_notes = models.CharField(
        _("other accessibility notes"), max_length=500, blank=True
    )
    online_url = models.URLField(_("link to the online meeting"), max_length=500, blank=True)
    signup_required = models.BooleanField(_("sign-up needed"), default=False)
    capacity = models.PositiveIntegerField(_("number of places"), null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Recorded afterwards: how many people came, and the minutes (PDF, DOCX or ODT).
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes = models.FileField(_("minutes"), upload_to=minutes_path, max_length=250, blank=True)
    minutes_kind = models.CharField(max_length=8, blank=True)
    minutes_size = models.PositiveBigIntegerField(null=True, blank=True)
    minutes_name = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gt=0),
                name="meeting_event_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_on_site(self) -> bool:
        return self.event_type in ON_SITE_TYPES

    @property
    def is_online(self) -> bool:
        return self.event_type in ONLINE_TYPES


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# A person holds one live sign-up per event (a second one updates the first).
LIVE_SIGNUP_STATUSES = (SignupStatus.PENDING, SignupStatus.CONFIRMED, SignupStatus.WAITING)


class Signup(models.Model):
    """A resident's sign-up: a name and an e-mail, no account. It takes a place (or a turn on
    the waiting list) only once the address is confirmed from the mail."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    name = models.CharField(_("first name and surname"), max_length=200)
    # Stored trimmed and lower-cased (the check below).
    email = models.EmailField(_("e-mail"), max_length=254)
    needs_interpreter = models.BooleanField(_("sign-language interpreter"), default=False)
    needs_induction_loop = models.BooleanField(_("induction loop"), default=False)
    needs_other = models.CharField(_("other needs"), max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=SignupStatus.choices, default=SignupStatus.PENDING
    )
    # SHA-256 of the one-time confirmation token; the token itself is only in the mail.
    confirmation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The order of the waiting list: who confirmed first is promoted first.
    waiting_since = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Random per sign-up and signed into the cancel link; never shown on a page.
    cancel_key = models.CharField(max_length=32)
    consented_at = models.DateTimeField()
    attended = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                # "Not cancelled" rather than an IN list: a cloned schema's index must read
                # back exactly as a migrated one's (tests/tenants/test_cloning.py).
                condition=~models.Q(status="cancelled"),
                name="meeting_signup_live_once",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="meeting_signup_email_lowercase"
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="meeting_signup_event_status")]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.pk}"


class SignupMailKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder the day before")


class SignupMail(models.Model):
    """A planned mail to one sign-up; the unique constraint makes "once" true however many
    runs of the reminder task race or are retried."""

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=16, choices=SignupMailKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signup", "kind"], name="meeting_signup_mail_once")
        ]

    def __str__(self) -> str:
        return f"{self.signup_id}/{self.kind}"
