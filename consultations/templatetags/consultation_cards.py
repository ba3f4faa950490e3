"""Filters for the consultation cards of residents' lists, which render them by the dozen:
the same output as ``c.get_status_display`` and ``|date:"j E Y"`` at a fraction of the cost
(Django rebuilds the choices dict on every ``get_FOO_display`` call and parses the format
string on every ``date``); and the tag that puts the cards the view got from
``consultations.page_cache.consultation_cards`` in the page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django import template
from django.utils.dates import MONTHS_ALT
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def consultation_cards(consultations: Iterable[Any], cards: Mapping[int, str]) -> SafeString:
    """The cards of ``consultations`` in their order (``cards``: HTML by id, escaped when it
    was rendered from _card.html)."""
    return mark_safe("".join(cards[c.pk] for c in consultations))  # noqa: S308
