"""Filters for the consultation cards of residents' lists, which render them by the dozen:
the same output as ``c.get_status_display`` and ``|date:"j E Y"`` at a fraction of the cost
(Django rebuilds the choices dict on every ``get_FOO_display`` call and parses the format
string on every ``date``)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.dates import MONTHS_ALT

from consultations.models import ConsultationStatus

register = template.Library()

_STATUS_LABELS = dict(ConsultationStatus.choices)


@register.filter
def status_label(value: str) -> str:
    """The status's label in the current language (what ``get_status_display`` gives)."""
    return str(_STATUS_LABELS.get(value, value))


@register.filter(expects_localtime=True)
def day_month_year(value: date | None) -> str:
    """``value|date:"j E Y"``: "5 grudnia 2026" in Polish, in the current time zone."""
    if not value:
        return ""
    return f"{value.day} {MONTHS_ALT[value.month]} {value.year}"
