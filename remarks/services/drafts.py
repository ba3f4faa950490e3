"""The draft residents comment on, unit by unit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.models import Consultation
from consultations.services import audit_record
from remarks import permissions
from remarks.drafts import DRAFT_MAX_CHARS, DRAFT_MAX_UNITS, draft_split
from remarks.models import DraftUnit, Remark


@transaction.atomic
def draft_units_replace(*, acting_user: User, consultation_id: int, text: str) -> list[DraftUnit]:
    """Split the draft's text into numbered units and put them in place of the previous
    ones. Refused once any unit has comments (they would lose what they comment on)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if not permissions.can_edit_draft(acting_user, consultation):
        raise PermissionDenied
    if len(text) > DRAFT_MAX_CHARS:
        raise ValidationError(
            {"text": [_("The draft may have at most %(n)d characters.") % {"n": DRAFT_MAX_CHARS}]}
        )
    units = draft_split(text)
    if not units:
        raise ValidationError({"text": [_("The draft is empty.")]})
    if len(units) > DRAFT_MAX_UNITS:
        raise ValidationError({"text": [_("The draft has too many units.")]})
    if Remark.objects.filter(unit__consultation=consultation).exists():
        raise ValidationError(_("The draft already has comments and cannot be replaced."))
    DraftUnit.objects.filter(consultation=consultation).delete()
    rows = DraftUnit.objects.bulk_create(
        [
            DraftUnit(consultation=consultation, position=i, label=u.label[:100], text=u.text)
            for i, u in enumerate(units, start=1)
        ]
    )
    audit_record(
        acting_user=acting_user,
        action="draft_replace",
        target=consultation,
        consultation=consultation,
        details={"units": len(rows)},
    )
    return rows
