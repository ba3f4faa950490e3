"""An iCalendar (RFC 5545) feed written by hand: a VEVENT per consultation, CRLF line ends,
TEXT values escaped, lines folded at 75 octets."""

from __future__ import annotations

from collections.abc import Iterable

from common.ics import PRODID, ics_calendar, ics_datetime, ics_escape, ics_fold
from consultations.models import Consultation

__all__ = ["PRODID", "calendar_render", "ics_datetime", "ics_escape", "ics_fold"]


def calendar_render(
    *,
    consultations: Iterable[Consultation],
    calendar_name: str,
    host: str,
    base_url: str,
    url_for: object,
) -> str:
    """The whole calendar. ``host`` (no port) makes UIDs unique across municipalities and
    stable over time; ``url_for(consultation)`` gives the path of its page."""
    lines: list[str] = []
    for consultation in consultations:
        url = base_url + url_for(consultation)  # type: ignore[operator]
        description = "\n\n".join(part for part in (consultation.summary, url) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:consultation-{consultation.pk}@{host}",
            # Without METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2):
            # a calendar refetched unchanged stays byte for byte the same.
            f"DTSTAMP:{ics_datetime(consultation.updated_at)}",
            f"LAST-MODIFIED:{ics_datetime(consultation.updated_at)}",
            f"DTSTART:{ics_datetime(consultation.starts_at)}",  # type: ignore[arg-type]
            f"DTEND:{ics_datetime(consultation.ends_at)}",  # type: ignore[arg-type]
            f"SUMMARY:{ics_escape(consultation.title)}",
            f"DESCRIPTION:{ics_escape(description)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    return ics_calendar(calendar_name, lines)
