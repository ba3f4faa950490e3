"""Meetings as a participation kind of consultations' registry (consultations.participation)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from consultations.participation import ParticipationEvent, ParticipationKind
from meetings.models import Event, EventStatus, Signup, SignupStatus

# The price-list add-on "Moduł spotkań konsultacyjnych" (billing's seed, 0002_price_list_seed).
ADDON_CODE = "addon-meetings"


def contribution_count(consultation: Consultation) -> int:
    """Residents who signed up (confirmed or waiting, also after the event): a form whose
    events people signed up for cannot be removed."""
    return Event.objects.filter(consultation=consultation).aggregate(
        n=Count(
            "signups",
            filter=Q(signups__status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITING)),
        )
    )["n"]


def report_section(consultation: Consultation) -> dict[str, Any] | None:
    """The events held (not cancelled, started), each with its attendance, and the totals;
    None while no event has been held."""
    from django.utils import timezone

    held = list(
        Event.objects.filter(
            consultation=consultation,
            status=EventStatus.SCHEDULED,
            starts_at__lte=timezone.now(),
        ).order_by("starts_at", "pk")
    )
    if not held:
        return None
    recorded = [event.attendance for event in held if event.attendance is not None]
    return {
        "title": str(_("Meetings and other events")),
        "events_held": len(held),
        "attendance_total": sum(recorded),
        "attendance_unrecorded": len(held) - len(recorded),
        "events": [
            {
                "title": event.title,
                "type": event.get_event_type_display(),
                "starts_at": event.starts_at.isoformat(),
                "place": ", ".join(p for p in (event.venue, event.address) if p)
                or event.online_url,
                "attendance": event.attendance,
                "minutes": bool(event.minutes),
            }
            for event in held
        ],
        "blocks": [
            {
                "type": "facts",
                "items": [
                    [str(_("Events held")), len(held)],
                    [str(_("Attendance in total")), sum(recorded)],
                ],
            },
            {
                "type": "table",
                "caption": str(_("Events held with attendance")),
                "sheet": str(_("Events")),
                "headers": [
                    str(_("Event")),
                    str(_("Type")),
                    str(_("Date")),
                    str(_("Place")),
                    str(_("Attendance")),
                ],
                "rows": [
                    [
                        event.title,
                        str(event.get_event_type_display()),
                        timezone.localtime(event.starts_at).strftime("%d.%m.%Y %H:%M"),
                        ", ".join(p for p in (event.venue, event.address) if p) or event.online_url,
                        event.attendance if event.attendance is not None else "–",
                    ]
                    for event in held
                ],
            },
        ],
    }


def notice_lines(consultation: Consultation) -> list[str]:
    """What the announcement says of each event still on: its type, title, date and time,
    place (or link) and opening hours, and whether residents sign up first."""
    from django.utils import formats, timezone

    lines = []
    for event in Event.objects.filter(
        consultation=consultation, status=EventStatus.SCHEDULED
    ).order_by("starts_at", "pk"):
        start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        when = _("%(date)s, %(start)s–%(end)s") % {
            "date": formats.date_format(start, "j E Y"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M")
            if end.date() == start.date()
            else f"{formats.date_format(end, 'j E Y')}, {end.strftime('%H:%M')}",
        }
        place = ", ".join(part for part in (event.venue, event.address) if part)
        line = f"{event.get_event_type_display()} „{event.title}”: {when}"
        if place:
            line += f", {place}"
        if event.online_url:
            line += ", " + str(_("online: %(url)s") % {"url": event.online_url})
        if event.opening_hours:
            line += ", " + str(_("open %(hours)s") % {"hours": event.opening_hours})
        if event.signup_required:
            line += " " + str(_("(sign-up needed)"))
        lines.append(line + ".")
    return lines


def events(consultation: Consultation) -> list[ParticipationEvent]:
    """The consultation's events, for its staff page and for the register of remarks."""
    from django.urls import reverse

    return [
        ParticipationEvent(
            kind="meeting",
            id=event.pk,
            title=event.title,
            type_label=str(event.get_event_type_display()),
            starts_at=event.starts_at,
            place=", ".join(p for p in (event.venue, event.address) if p) or event.online_url,
            cancelled=event.status == EventStatus.CANCELLED,
            panel_url=reverse("meeting_panel_event", kwargs={"event_id": event.pk}),
        )
        for event in Event.objects.filter(consultation=consultation).order_by("starts_at", "pk")
    ]


def participant_emails(consultation: Consultation) -> list[str]:
    """Addresses of residents whose sign-up was confirmed."""
    return list(
        Signup.objects.filter(
            event__consultation=consultation, status=SignupStatus.CONFIRMED
        ).values_list("email", flat=True)
    )


def personal_strings(consultation: Consultation) -> list[str]:
    """Names and addresses of the people who signed up."""
    strings: set[str] = set()
    for name, email in Signup.objects.filter(event__consultation=consultation).values_list(
        "name", "email"
    ):
        strings.update(value for value in (name, email) if value)
    return sorted(strings)


def archive_files(consultation: Consultation) -> list[tuple[str, bytes]]:
    """The minutes of every event, for the consultation's archive."""
    files = []
    for event in Event.objects.filter(consultation=consultation).exclude(minutes="").order_by("pk"):
        with event.minutes.open("rb") as handle:
            files.append(
                (f"protokoly/{event.pk}-{event.minutes_name or 'protokol'}", handle.read())
            )
    return files


MEETING_KIND = ParticipationKind(
    name="meeting",
    label=_("Consultation meetings"),
    resident_actions=("sign_up",),
    resident_url_name="meeting_schedule",
    panel_url_name="meeting_panel_events",
    addon_code=ADDON_CODE,
    template_name="meetings/resident/_participation.html",
    contribution_count=contribution_count,
    report_section=report_section,
    notice_lines=notice_lines,
    events=events,
    participant_emails=participant_emails,
    personal_strings=personal_strings,
    archive_files=archive_files,
    weight=40,
)

__all__ = ["ADDON_CODE", "MEETING_KIND"]
