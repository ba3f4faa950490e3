"""{{ role|role_label:municipality.kind }}: a staff role as the municipality calls it."""

from __future__ import annotations

from django import template

from accounts.models import staff_role_label

register = template.Library()


@register.filter
def role_label(role: str, municipality_kind: str = "") -> str:
    return staff_role_label(role, municipality_kind or "")
