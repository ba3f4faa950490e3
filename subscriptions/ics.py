"""An iCalendar (RFC 5545) feed written by hand: a VEVENT per consultation, CRLF line ends,
TEXT values escaped, lines folded at 75 octets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from consultations.models import Consultation

PRODID = "-//Konsulta//Konsultacje spoleczne//PL"


def ics_escape(text: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon and comma escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """RFC 5545 3.1: no line longer than 75 octets; a continuation starts with a space.
    Cut between characters, never inside a multi-byte UTF-8 one (Polish letters)."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def ics_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ics_escape(calendar_name)}",
    ]
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
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)
