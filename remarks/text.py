"""Cleaning of residents' and staff's free text before it is stored."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) turn text around on
# screen ("fdp.exe" shown as "exe.pdf"); NUL and other control characters break exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def text_clean(value: str) -> str:
    """NFC-normalised, without control and direction-override characters, trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()


def text_checked(values: dict[str, str], limits: dict[str, int]) -> dict[str, str]:
    """Every value cleaned; a ValidationError (per field, in Polish) when one is too long."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        text = text_clean(value)
        limit = limits[name]
        if len(text) > limit:
            errors[name] = [
                _("At most %(limit)d characters, please (this text has %(length)d).")
                % {"limit": limit, "length": len(text)}
            ]
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned
