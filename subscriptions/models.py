"""Residents' subscriptions to consultation news, and the log of every notification mailed.

Both tables live in the municipality's schema: an address subscribed on one site is unknown
to every other.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """One e-mail address following areas, categories or the whole municipality.

    What the address follows changes only when its owner confirms it from the mail (double
    opt-in): ``pending_*`` hold the choice last submitted until then, so nobody can change
    another person's subscription by typing their address.
    """

    # Stored trimmed and lower-cased (the check below), so unique means unique as a person
    # types it, in this schema.
    email = models.EmailField(_("e-mail"), max_length=254)
    # Set when a signed-in resident subscribes their own verified address.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    whole_municipality = models.BooleanField(default=False)
    # Ids of consultations.Area / Category rows. Arrays rather than many-to-many tables: the
    # pending choice needs the same shape, and matching is one overlap (&&) test on an index.
    area_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    category_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    pending_whole_municipality = models.BooleanField(default=False)
    pending_area_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    pending_category_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # SHA-256 of the one-time confirmation token; the token itself is only in the mail.
    confirmation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the person ticked the consent (RODO art. 7(1): the controller must show it).
    consented_at = models.DateTimeField()
    # Random per subscription and signed into unsubscribe links; never shown on a page.
    unsubscribe_key = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email"], name="subscription_email_unique"),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="subscription_email_lowercase"
            ),
        ]
        indexes = [
            GinIndex(fields=["area_ids"], name="subscription_area_ids"),
            GinIndex(fields=["category_ids"], name="subscription_category_ids"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class NotificationEvent(models.TextChoices):
    ANNOUNCED = "announced", _("Consultation announced")
    OPENED = "opened", _("Consultation opened")


class Notification(models.Model):
    """One mail about one consultation event to one subscription: the unique constraint is
    what makes "once" true, whatever number of task runs race to send it."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=16, choices=NotificationEvent.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "consultation", "event"], name="notification_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notification_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}/{self.consultation_id}/{self.event}"
