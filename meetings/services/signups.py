"""Residents' sign-ups: request (double opt-in), confirm, cancel, the waiting list.

"Nobody is ever over capacity" holds because a place is given only by :func:`places_fill`
and by confirmation, both with the event's row locked (``SELECT … FOR UPDATE``): sign-ups of
one event take their places one after another, whatever number arrive at the same moment.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.queue import task_queue_on_commit
from consultations.public_changes import public_change
from meetings.models import LIVE_SIGNUP_STATUSES, Event, Signup, SignupStatus
from meetings.selectors import (
    CONFIRMATION_VALID_DAYS,
    cancel_token_read,
    signup_state,
    token_hash,
)

# A second request for the same address within this pause records the new choice but sends
# no second mail (the first link confirms it): the form cannot be used to flood an inbox.
RESEND_PAUSE = timedelta(minutes=2)
NAME_MAX = 200
NEEDS_OTHER_MAX = 300


def email_normalise(email: str) -> str:
    return email.strip().lower()


def _check(*, name: str, email: str, consent: bool, needs_other: str) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter your first name and surname.")]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [_("The name may be at most 200 characters long.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address, e.g. jan.kowalski@example.pl.")]
    if len(needs_other) > NEEDS_OTHER_MAX:
        errors["needs_other"] = [_("Describe other needs in at most 300 characters.")]
    if not consent:
        errors["consent"] = [_("To sign up, agree to the processing of your name and e-mail.")]
    if any("\x00" in value for value in (name, email, needs_other)):
        errors["__all__"] = [_("The form contains characters that cannot be saved.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def signup_request(
    *,
    event_id: int,
    name: str,
    email: str,
    needs_interpreter: bool = False,
    needs_induction_loop: bool = False,
    needs_other: str = "",
    consent: bool,
    now: datetime | None = None,
) -> Signup:
    """Record a sign-up and mail its confirmation link after commit. It holds no place until
    confirmed. The same address again updates its one live sign-up (the partial unique
    constraint, not a look-up, makes that so); the answer never tells whether it was known."""
    now = now or timezone.now()
    email = email_normalise(email)
    _check(name=name, email=email, consent=consent, needs_other=needs_other)
    event = Event.objects.select_related("consultation").get(pk=event_id)
    state = signup_state(event, now=now)
    if not state.open:
        raise ValidationError(state.reason, code="closed")
    live = Signup.objects.select_for_update().filter(
        event=event,
        email=email,
        status__in=LIVE_SIGNUP_STATUSES,
    )
    signup = live.first()
    if signup is None:
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    event=event,
                    email=email,
                    name=name.strip(),
                    consented_at=now,
                    cancel_key=secrets.token_hex(16),
                )
        except IntegrityError:
            # The same address at the same moment: both requests end on the one row.
            signup = live.get()
    signup.name = name.strip()
    signup.needs_interpreter = needs_interpreter
    signup.needs_induction_loop = needs_induction_loop
    signup.needs_other = needs_other.strip()
    signup.consented_at = now
    if signup.status == SignupStatus.PENDING:
        recently_sent = (
            signup.confirmation_hash
            and signup.confirmation_sent_at
            and now - signup.confirmation_sent_at < RESEND_PAUSE
        )
        if not recently_sent:
            token = secrets.token_urlsafe(32)
            signup.confirmation_hash = token_hash(token)
            signup.confirmation_sent_at = now
            task_queue_on_commit("meetings.tasks.signup_confirmation_send", signup.pk, token)
    signup.save()
    return signup


@transaction.atomic
def signup_confirm(*, token: str, now: datetime | None = None) -> Signup:
    """Confirm the address behind a link (POST only: a mail scanner's GET confirms nothing).
    The person gets a place if one is free, else the next turn on the waiting list; a mail
    says which. The link works once and for seven days, then ValidationError."""
    now = now or timezone.now()
    found = (
        Signup.objects.filter(
            confirmation_hash=token_hash(token) if token else "-",
            status=SignupStatus.PENDING,
            confirmation_sent_at__gte=now - timedelta(days=CONFIRMATION_VALID_DAYS),
        )
        .values_list("pk", "event_id")
        .first()
    )
    if found is None:
        raise ValidationError(
            _("This confirmation link has expired or has already been used."), code="invalid"
        )
    # The event first, then the sign-up: every path that gives places locks in this order.
    event = Event.objects.select_for_update().select_related("consultation").get(pk=found[1])
    signup = Signup.objects.select_for_update().get(pk=found[0])
    if signup.status != SignupStatus.PENDING:
        raise ValidationError(
            _("This confirmation link has expired or has already been used."), code="invalid"
        )
    state = signup_state(event, now=now)
    if not state.open:
        raise ValidationError(state.reason, code="closed")
    signup.confirmation_hash = ""
    signup.confirmed_at = now
    taken = event.signups.filter(status=SignupStatus.CONFIRMED).count()
    if event.capacity is None or taken < event.capacity:
        signup.status = SignupStatus.CONFIRMED
    else:
        signup.status = SignupStatus.WAITING
        signup.waiting_since = now
    signup.save()
    # The consultation page shows how many people signed up once the meetings are over.
    public_change("contributions", event.consultation_id)
    _mail(signup, "confirmed" if signup.status == SignupStatus.CONFIRMED else "waiting")
    return signup


def places_fill(*, event: Event) -> list[Signup]:
    """Give free places to the waiting list in its order; each promoted person is mailed.
    Call with the event's row locked (inside the caller's transaction)."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - event.signups.filter(status=SignupStatus.CONFIRMED).count()
        if free <= 0:
            return []
    waiting = event.signups.select_for_update().filter(status=SignupStatus.WAITING)
    waiting = waiting.order_by("waiting_since", "pk")
    promoted = list(waiting if free is None else waiting[:free])
    for signup in promoted:
        signup.status = SignupStatus.CONFIRMED
        signup.save(update_fields=["status", "updated_at"])
        _mail(signup, "promoted")
    return promoted


@transaction.atomic
def signup_cancel(*, token: str, now: datetime | None = None) -> Signup | None:
    """Cancel the sign-up behind a genuine cancel link of this municipality (the mail's
    one-click link). A freed place goes to the first on the waiting list. None for a token
    that is not genuine; a repeated cancel changes nothing."""
    parsed = cancel_token_read(token)
    if parsed is None:
        return None
    found = Signup.objects.filter(pk=parsed[0], cancel_key=parsed[1]).values("event_id").first()
    if found is None:
        return None
    event = Event.objects.select_for_update().get(pk=found["event_id"])
    signup = Signup.objects.select_for_update().get(pk=parsed[0])
    if signup.status == SignupStatus.CANCELLED:
        return signup
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now or timezone.now()
    signup.confirmation_hash = ""
    signup.save(update_fields=["status", "cancelled_at", "confirmation_hash", "updated_at"])
    if was_confirmed and event.status != "cancelled" and event.starts_at > signup.cancelled_at:
        places_fill(event=event)
    public_change("contributions", event.consultation_id)
    return signup


def _mail(signup: Signup, what: str) -> None:
    task_queue_on_commit("meetings.tasks.event_mail_send", signup.pk, what)


def signups_purge(*, now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed within seven days (RODO: no data kept once the
    purpose is gone). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRMATION_VALID_DAYS)
    deleted, _detail = Signup.objects.filter(
        status=SignupStatus.PENDING, confirmation_sent_at__lt=cutoff
    ).delete()
    return deleted
