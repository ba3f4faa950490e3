"""Reads of subscriptions, and what feeds, the calendar and the sitemap list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from common.tokens import row_token, row_token_read
from consultations.models import Area, Category, Consultation, ConsultationStatus, News
from subscriptions.models import NotificationEvent, Subscription
from tenants.selectors import municipality_current

# Unconfirmed subscriptions, and a confirmation link, expire this long after the mail.
CONFIRMATION_VALID_DAYS = 7

# What feeds and the calendar publish (the list: never a draft or an unpaid order;
# archived ones are old news and stay out of the feeds, though their pages remain).
FEED_STATUSES = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.REPORT_PUBLISHED,
)
FEED_SIZE = 50
# The sitemap lists every consultation residents can open, archived ones included.
SITEMAP_STATUSES = (*FEED_STATUSES, ConsultationStatus.ARCHIVED)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subscription_get_for_confirmation(*, token: str) -> Subscription | None:
    """The subscription a confirmation link was sent for, if the link is still valid."""
    if not token:
        return None
    return Subscription.objects.filter(
        confirmation_hash=token_hash(token),
        confirmation_sent_at__gte=timezone.now() - timedelta(days=CONFIRMATION_VALID_DAYS),
    ).first()


# The salt keeps the one these links were always signed with: links already mailed still work.
UNSUBSCRIBE_PURPOSE = "subscriptions.unsubscribe"


def unsubscribe_token(subscription: Subscription) -> str:
    return row_token(UNSUBSCRIBE_PURPOSE, subscription.pk, subscription.unsubscribe_key)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(subscription id, key) from a genuine token of this municipality, else None."""
    return row_token_read(UNSUBSCRIBE_PURPOSE, token)


def subscription_get_by_unsubscribe_token(*, token: str) -> Subscription | None:
    parsed = unsubscribe_token_read(token)
    if parsed is None:
        return None
    return Subscription.objects.filter(pk=parsed[0], unsubscribe_key=parsed[1]).first()


@dataclass(frozen=True)
class ChoiceLabels:
    whole_municipality: bool
    areas: list[str]
    categories: list[str]


def choice_labels(
    *, whole_municipality: bool, area_ids: list[int], category_ids: list[int]
) -> ChoiceLabels:
    """Names of what a subscription follows, for the confirmation page and mail."""
    return ChoiceLabels(
        whole_municipality=whole_municipality,
        areas=list(Area.objects.filter(pk__in=area_ids).values_list("name", flat=True)),
        categories=list(
            Category.objects.filter(pk__in=category_ids).values_list("name", flat=True)
        ),
    )


# --- Notifications --------------------------------------------------------------------------

# Events older than this are not mailed any more: after an outage residents get what is
# still news, not a flood of consultations announced weeks ago.
NOTIFICATION_LOOKBACK = timedelta(days=3)


@dataclass(frozen=True)
class ConsultationEvent:
    consultation: Consultation
    event: str
    at: datetime


def consultation_events_due(*, now: datetime | None = None) -> list[ConsultationEvent]:
    """Consultations announced (scheduled) or opened within the look-back window that are
    still in that state: an announcement is moot once the consultation has opened."""
    now = now or timezone.now()
    since = now - NOTIFICATION_LOOKBACK
    events: list[ConsultationEvent] = []
    base = Consultation.objects.prefetch_related("areas", "categories")
    for consultation in base.filter(
        status=ConsultationStatus.SCHEDULED, scheduled_at__gte=since, scheduled_at__lte=now
    ):
        assert consultation.scheduled_at is not None  # the filter above excludes NULL
        events.append(
            ConsultationEvent(consultation, NotificationEvent.ANNOUNCED, consultation.scheduled_at)
        )
    for consultation in base.filter(
        status=ConsultationStatus.OPEN, opened_at__gte=since, opened_at__lte=now
    ):
        assert consultation.opened_at is not None  # the filter above excludes NULL
        events.append(
            ConsultationEvent(consultation, NotificationEvent.OPENED, consultation.opened_at)
        )
    return events


def subscriptions_matching(
    consultation: Consultation, *, before: datetime
) -> QuerySet[Subscription]:
    """Confirmed subscriptions (confirmed by ``before``) that follow the whole municipality,
    or one of the consultation's areas, or one of its categories."""
    wanted = Q(whole_municipality=True)
    area_ids = [area.pk for area in consultation.areas.all()]
    category_ids = [category.pk for category in consultation.categories.all()]
    if area_ids:
        wanted |= Q(area_ids__overlap=area_ids)
    if category_ids:
        wanted |= Q(category_ids__overlap=category_ids)
    return Subscription.objects.filter(confirmed_at__isnull=False, confirmed_at__lte=before).filter(
        wanted
    )


# --- Feeds, calendar, sitemap ---------------------------------------------------------------


def consultations_for_feeds() -> QuerySet[Consultation]:
    """The newest announced consultations first."""
    return (
        Consultation.objects.filter(status__in=FEED_STATUSES)
        .select_related("department")
        .prefetch_related("areas", "categories")
        .order_by("-scheduled_at", "-starts_at", "-pk")
    )


def consultations_for_calendar() -> QuerySet[Consultation]:
    return consultations_for_feeds().filter(starts_at__isnull=False, ends_at__isnull=False)


def consultations_for_sitemap() -> QuerySet[Consultation]:
    return Consultation.objects.filter(status__in=SITEMAP_STATUSES).order_by("pk")


def news_for_sitemap() -> QuerySet[News]:
    return News.objects.filter(published_at__lte=timezone.now()).order_by("pk")


def site_url() -> str:
    """The current municipality's address without the trailing slash, for mails."""
    return municipality_current().site_url.rstrip("/")


def report_audience(consultation: Consultation) -> list[tuple[str, str]]:
    """(address, its unsubscribe URL) of each confirmed subscription following the
    consultation: they hear when its report is published (reports.services)."""
    from django.urls import reverse

    base = site_url()
    return [
        (
            subscription.email,
            base
            + reverse(
                "subscription_unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
            ),
        )
        for subscription in subscriptions_matching(consultation, before=timezone.now())
    ]
