"""Reads of meetings: schedules, one event, sign-ups behind a token, staff lists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.db import connection
from consultations.models import Consultation, ConsultationStatus
from consultations.selectors import consultations_for_staff, participation_form_get
from meetings.models import Event, EventStatus, Signup, SignupStatus

KIND_NAME = "meeting"

# Residents see the events of consultations they can see, once announced (a draft's or an
# unpaid order's events stay in the panel).
PUBLIC_CONSULTATION_STATUSES = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.REPORT_PUBLISHED,
    ConsultationStatus.ARCHIVED,
)
# Sign-ups are taken while residents can still take part in the consultation.
SIGNUP_CONSULTATION_STATUSES = (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN)
# A confirmation link, and an unconfirmed sign-up, expire this long after the mail.
CONFIRMATION_VALID_DAYS = 7
# The calendar feed: events from this long ago on.
FEED_PAST = timedelta(days=90)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def events_public() -> QuerySet[Event]:
    """Events residents may see: of announced consultations that use meetings."""
    return (
        Event.objects.filter(
            consultation__status__in=PUBLIC_CONSULTATION_STATUSES,
            consultation__participation_forms__kind=KIND_NAME,
        )
        .select_related("consultation")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED))
        )
        .order_by("starts_at", "pk")
    )


def events_upcoming(*, now: datetime | None = None) -> QuerySet[Event]:
    """The municipality's schedule: events not yet over, cancelled ones included (so that
    nobody comes to a cancelled one), soonest first."""
    now = now or timezone.now()
    return events_public().filter(ends_at__gte=now)


def events_of(consultation: Consultation) -> QuerySet[Event]:
    return events_public().filter(consultation=consultation)


def event_get_public(*, event_id: int) -> Event | None:
    return events_public().filter(pk=event_id).first()


def events_for_feed(*, now: datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    return events_public().filter(ends_at__gte=now - FEED_PAST)


def places_taken(event: Event) -> int:
    return event.signups.filter(status=SignupStatus.CONFIRMED).count()


@dataclass(frozen=True)
class SignupState:
    """Whether a resident can sign up now, and why not (a message for the page)."""

    open: bool
    reason: str = ""
    places_left: int | None = None


def signup_state(event: Event, *, now: datetime | None = None) -> SignupState:
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    if not event.signup_required:
        return SignupState(False, _("No sign-up is needed: please just come."))
    if event.status == EventStatus.CANCELLED:
        return SignupState(False, _("This event has been cancelled."))
    if event.starts_at <= now:
        return SignupState(False, _("This event has already taken place."))
    if event.consultation.status not in SIGNUP_CONSULTATION_STATUSES:
        return SignupState(False, _("The consultation is closed: sign-up has ended."))
    if participation_form_get(event.consultation, KIND_NAME) is None:
        return SignupState(False, _("The consultation no longer holds meetings."))
    left = None
    if event.capacity is not None:
        taken = getattr(event, "confirmed_count", None)
        left = max(event.capacity - (places_taken(event) if taken is None else taken), 0)
    return SignupState(True, "", left)


def signup_get_for_confirmation(*, token: str, now: datetime | None = None) -> Signup | None:
    """The pending sign-up a confirmation link was sent for, while the link is valid."""
    if not token:
        return None
    now = now or timezone.now()
    return (
        Signup.objects.select_related("event", "event__consultation")
        .filter(
            confirmation_hash=token_hash(token),
            status=SignupStatus.PENDING,
            confirmation_sent_at__gte=now - timedelta(days=CONFIRMATION_VALID_DAYS),
        )
        .first()
    )


def _cancel_signer() -> signing.Signer:
    # The schema is in the salt: a link of one municipality is a bad signature on another,
    # even where the ids coincide.
    return signing.Signer(salt=f"meetings.cancel.{connection.schema_name}")


def cancel_token(signup: Signup) -> str:
    return _cancel_signer().sign(f"{signup.pk}.{signup.cancel_key}")


def cancel_token_read(token: str) -> tuple[int, str] | None:
    """(sign-up id, key) from a genuine token of this municipality, else None."""
    try:
        value = _cancel_signer().unsign(token)
    except signing.BadSignature:
        return None
    pk, _, key = value.partition(".")
    if not pk.isdigit() or not key:
        return None
    return int(pk), key


def signup_get_by_cancel_token(*, token: str) -> Signup | None:
    parsed = cancel_token_read(token)
    if parsed is None:
        return None
    return (
        Signup.objects.select_related("event", "event__consultation")
        .filter(pk=parsed[0], cancel_key=parsed[1])
        .first()
    )


# --- Staff ----------------------------------------------------------------------------------


def consultation_get_for_staff(user: Any, *, consultation_id: int) -> Consultation | None:
    return consultations_for_staff(user).filter(pk=consultation_id).first()


def events_for_staff(user: Any) -> QuerySet[Event]:
    """Events of the consultations the user manages (the admin: all)."""
    return (
        Event.objects.filter(consultation__in=consultations_for_staff(user))
        .select_related("consultation")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waiting_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
        )
        .order_by("-starts_at", "-pk")
    )


def event_get_for_staff(user: Any, *, event_id: int) -> Event | None:
    return events_for_staff(user).filter(pk=event_id).first()


def signups_for_staff(event: Event) -> QuerySet[Signup]:
    """The sign-up list: confirmed, then the waiting list in its order, then the rest."""
    return event.signups.exclude(status=SignupStatus.PENDING).order_by(
        "status", "waiting_since", "confirmed_at", "pk"
    )


def local_day_bounds(day: Any) -> tuple[datetime, datetime]:
    """The start of ``day`` and of the next, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
