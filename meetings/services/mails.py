"""The mails of meetings, in Polish, sent by the Celery worker from the municipality's
schema: confirmation link, place confirmed, waiting list, promoted, changed, cancelled, and
the reminder the day before (with the .ics)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.outbox import outbox_deliver
from meetings import ics
from meetings.models import (
    EventStatus,
    Signup,
    SignupMail,
    SignupMailKind,
    SignupStatus,
)
from meetings.selectors import CONFIRMATION_VALID_DAYS, cancel_token, local_day_bounds

logger = logging.getLogger("konsulta")

# Mails one reminder run sends at most in one municipality (an SMTP round trip of 50–200 ms
# each keeps a run under a minute, so other municipalities get their turn); the rest go
# out in the next hourly run, still the day before.
REMINDER_BATCH = 300
REMINDER_MAX_ATTEMPTS = 5


def _subject(what: str) -> str:
    # The msgids are listed for makemessages here, translated at send time.
    return {
        "confirm": _("%(name)s: confirm your sign-up – %(title)s"),
        "confirmed": _("%(name)s: your place is confirmed – %(title)s"),
        "waiting": _("%(name)s: you are on the waiting list – %(title)s"),
        "promoted": _("%(name)s: a place has become free for you – %(title)s"),
        "changed": _("%(name)s: the time or place has changed – %(title)s"),
        "cancelled": _("%(name)s: the event is cancelled – %(title)s"),
        "reminder": _("%(name)s: reminder, tomorrow – %(title)s"),
    }[what]


def _sender(municipality_name: str) -> str:
    return formataddr((municipality_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _site() -> tuple[str, str, str]:
    """(municipality name, base URL without the slash, host without the port)."""
    from tenants.selectors import municipality_current

    municipality = municipality_current()
    return municipality.name, municipality.site_url.rstrip("/"), municipality.primary_host


def signup_message(
    signup: Signup,
    what: str,
    *,
    municipality_name: str,
    base_url: str,
    host: str,
    token: str = "",
) -> EmailMessage:
    """One mail to one sign-up. Every mail but the confirmation link carries the one-click
    cancel link (also as List-Unsubscribe headers, RFC 8058); the reminder and the
    confirmations carry the event's .ics."""
    event = signup.event
    event_url = base_url + reverse("meeting_event_detail", kwargs={"event_id": event.pk})
    cancel_url = base_url + reverse("meeting_signup_cancel", kwargs={"token": cancel_token(signup)})
    context = {
        "what": what,
        "municipality_name": municipality_name,
        "signup": signup,
        "event": event,
        "consultation": event.consultation,
        "event_url": event_url,
        "cancel_url": cancel_url,
        "confirm_url": base_url + reverse("meeting_signup_confirm", kwargs={"token": token})
        if token
        else "",
        "expires_at": (signup.confirmation_sent_at or timezone.now())
        + timedelta(days=CONFIRMATION_VALID_DAYS),
    }
    headers = {"Auto-Submitted": "auto-generated"}
    if what != "confirm":
        headers["List-Unsubscribe"] = f"<{cancel_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMessage(
        subject=_subject(what) % {"name": municipality_name, "title": event.title},
        body=render_to_string("meetings/email/signup.txt", context),
        from_email=_sender(municipality_name),
        to=[signup.email],
        headers=headers,
    )
    if what in ("confirmed", "promoted", "changed", "cancelled", "reminder"):
        calendar = ics.calendar_render(
            events=[event], calendar_name=event.title, host=host, url_for=lambda e: event_url
        )
        message.attach("spotkanie.ics", calendar, "text/calendar")
    return message


def signup_mail_send(*, signup_id: int, what: str, token: str = "") -> bool:
    """Send one mail of ``what`` to a sign-up if it still applies (a confirmation link only
    while pending and the token is the latest; the others only to a live sign-up)."""
    from meetings.selectors import token_hash

    signups = Signup.objects.select_related("event", "event__consultation").filter(pk=signup_id)
    signup = signups.first()
    if signup is None:
        return False
    if what == "confirm":
        if signup.status != SignupStatus.PENDING or signup.confirmation_hash != token_hash(token):
            return False
    elif signup.status == SignupStatus.CANCELLED or signup.status == SignupStatus.PENDING:
        return False
    name, base_url, host = _site()
    with translation.override(settings.LANGUAGE_CODE):
        signup_message(
            signup, what, municipality_name=name, base_url=base_url, host=host, token=token
        ).send()
    return True


# --- Reminders the day before -------------------------------------------------------------


def reminders_plan(*, now: datetime | None = None) -> int:
    """Record a reminder for every confirmed sign-up of an event that starts tomorrow (the
    site's calendar day). INSERT … ON CONFLICT DO NOTHING on the unique constraint: runs at
    once, retried or repeated, record each one once. Returns the candidates."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start, end = local_day_bounds(tomorrow)
    ids = Signup.objects.filter(
        status=SignupStatus.CONFIRMED,
        event__status=EventStatus.SCHEDULED,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    ).values_list("pk", flat=True)
    rows = [SignupMail(signup_id=pk, kind=SignupMailKind.REMINDER) for pk in ids]
    SignupMail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def reminders_deliver(*, batch_size: int = REMINDER_BATCH) -> int:
    """Send up to ``batch_size`` planned, unsent reminders through the common outbox (each row
    locked, re-checked, mailed and stamped in its own transaction); returns how many went out.
    A reminder whose sign-up or event was cancelled since it was planned is stamped without a
    mail and never picked again."""
    name, base_url, host = _site()

    def message_for(mail: SignupMail) -> EmailMessage | None:
        signup = mail.signup
        if (
            signup.status != SignupStatus.CONFIRMED
            or signup.event.status != EventStatus.SCHEDULED
            or signup.event.starts_at <= timezone.now()
        ):
            mail.last_error = "no longer applies"
            return None
        return signup_message(
            signup, "reminder", municipality_name=name, base_url=base_url, host=host
        )

    return outbox_deliver(
        SignupMail.objects.filter(
            sent_at__isnull=True,
            attempts__lt=REMINDER_MAX_ATTEMPTS,
            kind=SignupMailKind.REMINDER,
        ),
        batch_size=batch_size,
        message_for=message_for,
        related=("signup", "signup__event", "signup__event__consultation"),
        extra_fields=("last_error",),
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Plan and deliver the current municipality's reminders; returns mails sent."""
    reminders_plan(now=now)
    return reminders_deliver()
