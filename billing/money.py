"""Formatting of amounts kept in grosze."""

from __future__ import annotations

NBSP = "\u00a0"


def pln(grosze: int | None) -> str:
    """12345678 → "123 456,78 zł" (Polish grouping, non-breaking spaces)."""
    if grosze is None:
        return ""
    sign = "-" if grosze < 0 else ""
    zloty, rest = divmod(abs(int(grosze)), 100)
    grouped = f"{zloty:,}".replace(",", NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}zł"


def pln_plain(grosze: int) -> str:
    """For input fields: 123456 → "1234,56"."""
    zloty, rest = divmod(int(grosze), 100)
    return f"{zloty},{rest:02d}"
