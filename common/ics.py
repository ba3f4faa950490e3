"""iCalendar (RFC 5545) written by hand: TEXT values escaped, lines folded at 75 octets,
times in UTC. Shared by the consultations calendar (subscriptions) and meetings' .ics."""

from __future__ import annotations

from datetime import UTC, datetime

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


def ics_document(lines: list[str]) -> str:
    """Lines (without their ends) as an iCalendar text: each folded, each ended by CRLF."""
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def ics_calendar(calendar_name: str, event_lines: list[str]) -> str:
    """A whole VCALENDAR named ``calendar_name`` around the VEVENT lines given."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ics_escape(calendar_name)}",
        *event_lines,
        "END:VCALENDAR",
    ]
    return ics_document(lines)
