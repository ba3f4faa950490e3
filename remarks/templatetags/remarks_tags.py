"""Small template helpers of the register."""

from __future__ import annotations

import uuid

from django import template

register = template.Library()


@register.simple_tag
def idempotency_key() -> str:
    """A fresh key for one form on the page: sending that form twice stores it once."""
    return str(uuid.uuid4())


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, 0)
