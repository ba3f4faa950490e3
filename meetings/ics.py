"""iCalendar (RFC 5545) of events: one per event (attached to mails, downloaded from its
page) and the municipality's feed, written with the same helpers as the consultations
calendar (common.ics)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from common.ics import ics_calendar, ics_datetime, ics_escape
from meetings.models import Event, EventStatus


def _place(event: Event) -> str:
    parts = [part for part in (event.venue, event.address) if part]
    if event.online_url:
        parts.append(event.online_url)
    return ", ".join(parts)


def event_lines(event: Event, *, host: str, url: str) -> list[str]:
    description = "\n\n".join(part for part in (event.description, url) if part)
    lines = [
        "BEGIN:VEVENT",
        # The host (no port) makes UIDs unique across municipalities and stable over time: a
        # calendar that imported the event updates it when it changes.
        f"UID:meeting-{event.pk}@{host}",
        f"DTSTAMP:{ics_datetime(event.updated_at)}",
        f"LAST-MODIFIED:{ics_datetime(event.updated_at)}",
        f"DTSTART:{ics_datetime(event.starts_at)}",
        f"DTEND:{ics_datetime(event.ends_at)}",
        f"SUMMARY:{ics_escape(event.title)}",
        f"DESCRIPTION:{ics_escape(description)}",
        f"URL:{url}",
    ]
    place = _place(event)
    if place:
        lines.append(f"LOCATION:{ics_escape(place)}")
    cancelled = event.status == EventStatus.CANCELLED
    lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def calendar_render(
    *,
    events: Iterable[Event],
    calendar_name: str,
    host: str,
    url_for: Callable[[Event], str],
) -> str:
    """A calendar of ``events``; ``url_for(event)`` gives the absolute address of its page."""
    lines: list[str] = []
    for event in events:
        lines += event_lines(event, host=host, url=url_for(event))
    return ics_calendar(calendar_name, lines)
