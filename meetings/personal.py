"""Sign-ups in a resident's RODO rights (accounts.personal_data): a sign-up needs no account,
so a person's sign-ups are those made with their account's e-mail address."""

from __future__ import annotations

from typing import Any

from meetings.models import Signup, SignupStatus


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def signups_export(user: Any) -> list[dict[str, Any]]:
    """Every sign-up made with the person's address, with the event it was for."""
    email = (user.email or "").strip().lower()
    if not email:
        return []
    return [
        {
            "event": signup.event.title,
            "event_starts_at": _iso(signup.event.starts_at),
            "consultation": signup.event.consultation.title,
            "name": signup.name,
            "email": signup.email,
            "status": signup.status,
            "needs_interpreter": signup.needs_interpreter,
            "needs_induction_loop": signup.needs_induction_loop,
            "needs_other": signup.needs_other,
            "consented_at": _iso(signup.consented_at),
            "confirmed_at": _iso(signup.confirmed_at),
            "cancelled_at": _iso(signup.cancelled_at),
            "attended": signup.attended,
        }
        for signup in Signup.objects.filter(email=email)
        .select_related("event", "event__consultation")
        .order_by("pk")
    ]


def signups_anonymise(user: Any) -> None:
    """Strip the person from their sign-ups: no name, no address, no needs. The row stays,
    cancelled, so attendance counts of past events do not change; a place they held at an
    event still to come goes to the first on its waiting list."""
    from django.utils import timezone

    from meetings.models import Event
    from meetings.services import places_fill

    email = (user.email or "").strip().lower()
    if not email:
        return
    freed: set[int] = set()
    for signup in Signup.objects.filter(email=email).select_related("event"):
        if signup.status == SignupStatus.CONFIRMED and signup.event.starts_at > timezone.now():
            freed.add(signup.event_id)
        signup.name = ""
        signup.email = f"anonim-{signup.pk}@anonim.invalid"
        signup.needs_interpreter = False
        signup.needs_induction_loop = False
        signup.needs_other = ""
        signup.confirmation_hash = ""
        signup.status = SignupStatus.CANCELLED
        signup.save()
    for event in Event.objects.select_for_update().filter(pk__in=sorted(freed)):
        places_fill(event=event)
