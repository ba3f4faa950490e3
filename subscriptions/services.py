"""Writes of subscriptions: double opt-in, unsubscribing, and mailing notifications."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from common.outbox import outbox_deliver
from common.queue import task_queue_on_commit
from consultations.models import Area, Category, Consultation
from subscriptions.models import Notification, NotificationEvent, Subscription
from subscriptions.selectors import (
    CONFIRMATION_VALID_DAYS,
    choice_labels,
    consultation_events_due,
    site_url,
    subscriptions_matching,
    token_hash,
    unsubscribe_token,
    unsubscribe_token_read,
)
from tenants.selectors import municipality_current

logger = logging.getLogger("konsulta")

# A second request for the same address within this pause records the new choice but sends
# no second mail (the first link confirms it): the form cannot be used to flood an inbox.
RESEND_PAUSE = timedelta(minutes=2)


def sender_for(municipality_name: str) -> str:
    """The platform's address under the municipality's name: residents see who writes."""
    return formataddr((municipality_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def email_normalise(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class SubscriptionRequestResult:
    subscription: Subscription
    # True when a signed-in resident subscribed their own verified address: no mail needed.
    confirmed_now: bool


def _verified_email_of(user: User) -> str:
    """The signed-in user's address if they proved it (allauth), else ""."""
    address = EmailAddress.objects.filter(user=user, verified=True, primary=True).first()
    return email_normalise(address.email) if address else ""


def _choice_check(
    *,
    email: str,
    whole_municipality: bool,
    area_ids: list[int],
    category_ids: list[int],
    consent: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address, e.g. jan.kowalski@example.pl.")]
    if not (whole_municipality or area_ids or category_ids):
        errors["__all__"] = [_("Choose at least one area or category, or the whole municipality.")]
    if len(set(area_ids)) != Area.objects.filter(pk__in=area_ids).count():
        errors["areas"] = [_("Choose areas from the list.")]
    if len(set(category_ids)) != Category.objects.filter(pk__in=category_ids).count():
        errors["categories"] = [_("Choose categories from the list.")]
    if not consent:
        errors["consent"] = [
            _("To receive notifications, agree to the processing of your e-mail address.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscription_request(
    *,
    email: str,
    whole_municipality: bool,
    area_ids: Iterable[int],
    category_ids: Iterable[int],
    consent: bool,
    user: object | None = None,
    now: datetime | None = None,
) -> SubscriptionRequestResult:
    """Record what an address wants to follow and mail it a confirmation link after commit.

    The same address again updates its one row (a unique constraint, not a look-up, makes
    that so), and the answer never tells whether the address was known. A signed-in
    resident subscribing their own verified address is confirmed at once.
    """
    now = now or timezone.now()
    email = email_normalise(email)
    area_ids = sorted(set(area_ids))
    category_ids = sorted(set(category_ids))
    _choice_check(
        email=email,
        whole_municipality=whole_municipality,
        area_ids=area_ids,
        category_ids=category_ids,
        consent=consent,
    )
    # INSERT … ON CONFLICT DO NOTHING, then lock: two submissions racing for one address
    # both end on the same row.
    Subscription.objects.bulk_create(
        [Subscription(email=email, consented_at=now, unsubscribe_key=secrets.token_hex(16))],
        ignore_conflicts=True,
    )
    subscription = Subscription.objects.select_for_update().get(email=email)
    subscription.consented_at = now

    # request.user may be AnonymousUser: only a signed-in account can vouch for an address.
    if isinstance(user, User) and email == _verified_email_of(user):
        subscription.user = user
        subscription.whole_municipality = whole_municipality
        subscription.area_ids = area_ids
        subscription.category_ids = category_ids
        subscription.confirmed_at = subscription.confirmed_at or now
        subscription.save()
        return SubscriptionRequestResult(subscription, confirmed_now=True)

    subscription.pending_whole_municipality = whole_municipality
    subscription.pending_area_ids = area_ids
    subscription.pending_category_ids = category_ids
    recently_sent = (
        subscription.confirmation_hash
        and subscription.confirmation_sent_at
        and now - subscription.confirmation_sent_at < RESEND_PAUSE
    )
    if not recently_sent:
        token = secrets.token_urlsafe(32)
        subscription.confirmation_hash = token_hash(token)
        subscription.confirmation_sent_at = now
        # Queued from inside the municipality's schema: the worker sends it from there.
        task_queue_on_commit(
            "subscriptions.tasks.subscription_confirmation_send", subscription.pk, token
        )
    subscription.save()
    return SubscriptionRequestResult(subscription, confirmed_now=False)


def subscription_confirmation_send_mail(*, subscription: Subscription, token: str) -> None:
    """Mail the confirmation link (to a page with a button: opening the link confirms
    nothing, since mail scanners open links too)."""
    municipality = municipality_current()
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "municipality_name": municipality.name,
            "link": site_url() + reverse("subscription_confirm", kwargs={"token": token}),
            "expires_at": subscription.confirmation_sent_at
            + timedelta(days=CONFIRMATION_VALID_DAYS)
            if subscription.confirmation_sent_at
            else None,
            "choice": choice_labels(
                whole_municipality=subscription.pending_whole_municipality,
                area_ids=subscription.pending_area_ids,
                category_ids=subscription.pending_category_ids,
            ),
        }
        EmailMessage(
            subject=_("%(name)s: confirm your subscription to consultation news")
            % {"name": municipality.name},
            body=render_to_string("subscriptions/email/confirm.txt", context),
            from_email=sender_for(municipality.name),
            to=[subscription.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()


@transaction.atomic
def subscription_confirm(*, token: str, now: datetime | None = None) -> Subscription:
    """Apply the choice the confirmation link was sent for. The link works once and for
    seven days; after that it raises ValidationError and nothing changes."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update()
        .filter(
            confirmation_hash=token_hash(token) if token else "-",
            confirmation_sent_at__gte=now - timedelta(days=CONFIRMATION_VALID_DAYS),
        )
        .first()
    )
    if subscription is None:
        raise ValidationError(
            _("This confirmation link has expired or has already been used."), code="invalid"
        )
    subscription.whole_municipality = subscription.pending_whole_municipality
    subscription.area_ids = subscription.pending_area_ids
    subscription.category_ids = subscription.pending_category_ids
    subscription.pending_whole_municipality = False
    subscription.pending_area_ids = []
    subscription.pending_category_ids = []
    subscription.confirmation_hash = ""
    subscription.confirmed_at = subscription.confirmed_at or now
    subscription.save()
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> bool:
    """Delete the subscription behind a genuine unsubscribe token, with its log (RODO: no
    data kept once the purpose is gone). True for a genuine token, also when repeated."""
    parsed = unsubscribe_token_read(token)
    if parsed is None:
        return False
    Subscription.objects.filter(pk=parsed[0], unsubscribe_key=parsed[1]).delete()
    return True


def subscriptions_purge(*, now: datetime | None = None) -> int:
    """Delete subscriptions never confirmed within seven days, and forget expired pending
    changes of confirmed ones. Returns how many subscriptions were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRMATION_VALID_DAYS)
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=cutoff
    ).delete()
    Subscription.objects.filter(
        confirmed_at__isnull=False, confirmation_sent_at__lt=cutoff
    ).exclude(confirmation_hash="").update(
        confirmation_hash="",
        pending_whole_municipality=False,
        pending_area_ids=[],
        pending_category_ids=[],
    )
    return deleted


# --- Notifications --------------------------------------------------------------------------

# Mails one run sends at most in one municipality. At an SMTP round trip of 50–200 ms each
# that is under a minute, so a big municipality cannot hold the worker until the next beat
# (every 5 minutes, CELERY_BEAT_SCHEDULE) and the others still get their turn; the rest go out in
# the next runs, in order.
NOTIFICATION_BATCH = 300
# A mail the server kept refusing is given up after this many runs (logged with its error).
NOTIFICATION_MAX_ATTEMPTS = 5
# Rows per INSERT when planning: one statement of this many stays well below PostgreSQL's
# parameter limit (four columns each).
PLAN_INSERT_BATCH = 1000


def notifications_plan(*, now: datetime | None = None) -> int:
    """Record a Notification for every (matching subscription, due consultation event) not
    recorded yet. INSERT … ON CONFLICT DO NOTHING on the unique constraint: two runs at once
    record each one once. Returns how many rows the candidates were (not all new)."""
    now = now or timezone.now()
    candidates = 0
    for due in consultation_events_due(now=now):
        subscription_ids = subscriptions_matching(due.consultation, before=due.at).values_list(
            "pk", flat=True
        )
        rows = [
            Notification(subscription_id=pk, consultation_id=due.consultation.pk, event=due.event)
            for pk in subscription_ids.iterator(chunk_size=PLAN_INSERT_BATCH)
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=PLAN_INSERT_BATCH)
        candidates += len(rows)
    return candidates


def notification_message(
    notification: Notification, *, municipality_name: str, base_url: str
) -> EmailMessage:
    """The mail: Polish text, the consultation's address on the municipality's host, and a
    one-click unsubscribe (RFC 8058) both as a link and as headers."""
    consultation: Consultation = notification.consultation
    subscription = notification.subscription
    unsubscribe_url = base_url + reverse(
        "subscription_unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
    )
    context = {
        "municipality_name": municipality_name,
        "consultation": consultation,
        "event": notification.event,
        "url": base_url + reverse("consultation_detail", kwargs={"slug": consultation.slug}),
        "unsubscribe_url": unsubscribe_url,
        "subscribe_url": base_url + reverse("subscription_request"),
    }
    if notification.event == NotificationEvent.OPENED:
        subject = _("%(name)s: consultation open – %(title)s")
    else:
        subject = _("%(name)s: new consultation announced – %(title)s")
    return EmailMessage(
        subject=subject % {"name": municipality_name, "title": consultation.title},
        body=render_to_string("subscriptions/email/notification.txt", context),
        from_email=sender_for(municipality_name),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def notifications_deliver(*, batch_size: int = NOTIFICATION_BATCH) -> int:
    """Send up to ``batch_size`` recorded, unsent notifications; returns how many went out
    (each exactly once: common.outbox)."""
    municipality_name = municipality_current().name
    base_url = site_url()
    return outbox_deliver(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=NOTIFICATION_MAX_ATTEMPTS),
        batch_size=batch_size,
        related=("subscription", "consultation"),
        message_for=lambda notification: notification_message(
            notification, municipality_name=municipality_name, base_url=base_url
        ),
    )


def notifications_send(*, now: datetime | None = None, batch_size: int = NOTIFICATION_BATCH) -> int:
    """Plan and deliver the current municipality's notifications; returns mails sent."""
    notifications_plan(now=now)
    return notifications_deliver(batch_size=batch_size)
