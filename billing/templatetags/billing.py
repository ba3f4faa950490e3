"""Money in templates: grosze shown as Polish złoty."""

from __future__ import annotations

from django import template

from billing.money import pln

register = template.Library()
register.filter("pln", pln)


@register.filter
def vat_percent(rate_bp: int) -> str:
    return f"{rate_bp // 100}%"
