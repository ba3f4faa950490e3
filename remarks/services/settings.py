"""What a consultation's remark form (or its comments on the draft) asks and allows: the
coordinator's panel page writes the form's settings through this service.

The shape of the settings is documented in ``remarks.rules``. Keys a legal rule set locked
keep their value whatever is sent; a form whose consultation is closed or later keeps the
rules its remarks were checked against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.services import participation_form_update
from remarks import selectors
from remarks.permissions import SETTINGS_EDITABLE
from remarks.rules import (
    MODERATION_POST,
    MODERATION_PRE,
    SECTION_MAX_LENGTH,
    SECTIONS_MAX,
    SETTINGS_KEYS,
    RemarkRules,
    settings_locked,
)
from remarks.text import text_checked

SOURCE_MAX_LENGTH = 300


@dataclass
class RemarkSettingsInput:
    """What the panel's settings form sends (keys not of the form's kind are ignored)."""

    name_required: bool = True
    address_required: bool = False
    anonymous_accepted: bool = False
    moderation: str = MODERATION_POST
    replies_allowed: bool = True
    supports_allowed: bool = False
    sections: list[str] = field(default_factory=list)
    source: str = ""


def _sections_cleaned(lines: list[str]) -> list[str]:
    errors: list[str] = []
    cleaned: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = text_checked({"line": line}, {"line": 10**6})["line"]
        if not text:
            continue
        if len(text) > SECTION_MAX_LENGTH:
            errors.append(
                _("Line %(number)d is too long: at most %(limit)d characters, please.")
                % {"number": number, "limit": SECTION_MAX_LENGTH}
            )
        elif text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > SECTIONS_MAX:
        errors.append(
            _("At most %(limit)d parts of the document, please.") % {"limit": SECTIONS_MAX}
        )
    if errors:
        raise ValidationError({"sections": errors})
    return cleaned


@transaction.atomic
def remark_form_settings_update(
    *, acting_user: User, consultation_id: int, kind: str, data: RemarkSettingsInput
) -> dict[str, Any]:
    """Set what the consultation's form of ``kind`` ("remarks" or "paragraph_comments") asks
    of authors and how its texts are moderated; returns the settings as stored.

    Refused with a Polish message, nothing changed: a consultation that is closed or later,
    a moderation mode not on the list, a source or a part of the document too long, more
    than 100 parts, or a change to a key a legal rule set locked (its citation is named).
    Keys the page does not edit (the rule set's ``locked`` among them) are kept. The change
    is written, with its before and after, to the consultation's audit history."""
    form = selectors.form_with_consultation(consultation_id, kind)
    if form is None or kind not in SETTINGS_KEYS:
        raise ValidationError(_("This consultation does not use this form."))
    if form.consultation.status not in SETTINGS_EDITABLE:
        raise ValidationError(
            _(
                "The settings can no longer be changed: the consultation is closed, and its "
                "remarks were checked against the settings as they were."
            )
        )
    errors: dict[str, list[str]] = {}
    if data.moderation not in (MODERATION_PRE, MODERATION_POST):
        errors["moderation"] = [_("Choose how texts are moderated from the list.")]
    values: dict[str, Any] = {
        "name_required": bool(data.name_required),
        "address_required": bool(data.address_required),
        "anonymous_accepted": bool(data.anonymous_accepted),
        "moderation": data.moderation,
        "replies_allowed": bool(data.replies_allowed),
        "supports_allowed": bool(data.supports_allowed),
    }
    try:
        values["source"] = text_checked({"source": data.source}, {"source": SOURCE_MAX_LENGTH})[
            "source"
        ]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        values["sections"] = _sections_cleaned(data.sections)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    current = dict(form.settings or {})
    locked = settings_locked(current)
    effective = RemarkRules.from_settings(current).as_settings()
    for key in SETTINGS_KEYS[kind]:
        if key in locked and values[key] != effective[key]:
            errors[key] = [
                _("This setting is required by law (%(source)s) and cannot be changed here.")
                % {"source": locked[key]}
            ]
    if errors:
        raise ValidationError(errors)
    settings = {**current, **{key: values[key] for key in SETTINGS_KEYS[kind]}}
    participation_form_update(
        acting_user=acting_user,
        form_id=form.pk,
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        settings=settings,
    )
    return settings
