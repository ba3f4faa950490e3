"""Helpers of the meetings tests: a consultation that holds meetings, events, sign-ups."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from consultations.models import Consultation, ConsultationStatus
from meetings.models import Event, EventType, Signup, SignupStatus
from meetings.selectors import token_hash
from meetings.services import EventInput, signup_request
from tests.conftest import unique
from tests.consultations.factories import consultation_in_state

WARSAW = ZoneInfo("Europe/Warsaw")


def meeting_consultation(status: str = ConsultationStatus.OPEN, **fields: Any) -> Consultation:
    fields.setdefault("participation_forms", ["remarks", "meeting"])
    return consultation_in_state(status, **fields)


def evening(days: int = 7, hour: int = 18) -> datetime:
    """A weekday evening ``days`` from now or later (Warsaw time): no working-hours warning."""
    day = timezone.localtime(timezone.now(), WARSAW).date() + timedelta(days=days)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=WARSAW)


def event_input(**overrides: Any) -> EventInput:
    start = overrides.pop("starts_at", None) or evening()
    values: dict[str, Any] = {
        "event_type": EventType.MEETING,
        "title": "Spotkanie w sprawie rynku " + unique(""),
        "description": "Opowiemy o projekcie i wysłuchamy Państwa uwag.",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "venue": "Sala sesyjna urzędu",
        "address": "ul. Rynek 1, Dębno",
        "step_free_access": True,
        "signup_required": True,
        "capacity": 10,
    }
    values.update(overrides)
    return EventInput(**values)


def event_make(consultation: Consultation | None = None, **overrides: Any) -> Event:
    """An event stored directly (tests of the services call event_create themselves)."""
    consultation = consultation or meeting_consultation()
    data = event_input(**overrides)
    return Event.objects.create(consultation=consultation, **vars(data))


def pending_signup(event: Event, email: str | None = None, **fields: Any) -> tuple[Signup, str]:
    """A sign-up through the service, and a known confirmation token (the mailed one is
    stored only as its hash)."""
    signup = signup_request(
        event_id=event.pk,
        name=fields.pop("name", "Jan Kowalski"),
        email=email or unique("osoba-") + "@poczta.test",
        consent=True,
        **fields,
    )
    token = unique("token-")
    Signup.objects.filter(pk=signup.pk).update(confirmation_hash=token_hash(token))
    return signup, token


def confirmed_signup(event: Event, email: str | None = None) -> Signup:
    return Signup.objects.create(
        event=event,
        name="Anna Nowak",
        email=email or unique("osoba-") + "@poczta.test",
        status=SignupStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        consented_at=timezone.now(),
        cancel_key=unique("k"),
    )
