"""Password rules of our own, next to Django's validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotBlankValidator:
    """Refuse a password made of whitespace only (ten spaces pass every Django validator:
    long enough, not common, not numeric). Registered in AUTH_PASSWORD_VALIDATORS, so it
    holds for allauth's sign-up, change, set and reset forms and for invitations alike."""

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                _("The password cannot consist of spaces only; please use letters or digits too."),
                code="password_blank",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot consist of spaces only.")
