"""A coordinator promotes a resident's free text from another form of participation (a
survey's open answer) into the register of remarks.

The register never imports the kind that wrote the text: the view reads it through the
registry (``consultations.participation.free_texts_of``) and passes it here as plain data.
The text's key is stored under a unique constraint, so one text enters the register once,
however often or concurrently it is promoted."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations import participation
from consultations.models import Consultation
from consultations.services import audit_record
from remarks import selectors
from remarks.models import AuthorKind, Channel, FormalIssue, Remark, RemarkState, Visibility
from remarks.permissions import RECEIVING
from remarks.rules import KIND_REMARKS, MODERATION_PRE, RemarkRules
from remarks.services.register import LIMITS, _issues_on_registration, _register
from remarks.text import text_checked

SOURCE_KEY_MAX = 100


def _already(remark: Remark) -> ValidationError:
    return ValidationError(
        _("This answer is already in the register as %(reference)s.")
        % {"reference": remark.reference}
    )


@transaction.atomic
def remark_promote(
    *,
    acting_user: User,
    consultation_id: int,
    text: participation.FreeText,
    now: datetime | None = None,
) -> Remark:
    """Register ``text`` as a remark of the channel "survey": a reference number at once,
    no author data (the survey's answers carry none into the register), the formal checks of
    the consultation's rules recorded as for any registered remark, and an audit row.

    Refused with a Polish message, nothing stored: a consultation that is not open or
    closed, one without the remark form, an empty or overlong text, or a text already
    promoted (its reference number is named)."""
    now = now or timezone.now()
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in RECEIVING:
        raise ValidationError(
            _("Answers can be moved to the register only while the consultation is open or closed.")
        )
    form = selectors.participation_form_of(consultation, KIND_REMARKS)
    if form is None:
        raise ValidationError(_("This consultation does not take remarks."))
    if not text.key or len(text.key) > SOURCE_KEY_MAX:
        raise ValidationError(_("This answer cannot be moved to the register."))
    existing = Remark.objects.filter(source_key=text.key).first()
    if existing is not None:
        raise _already(existing)
    values = text_checked({"justification": text.text}, {"justification": LIMITS["justification"]})
    if not values["justification"]:
        raise ValidationError(_("An empty answer cannot be moved to the register."))
    label = _("%(kind)s “%(title)s”, question: “%(question)s”") % {
        "kind": participation.kind_label(text.kind),
        "title": text.title,
        "question": text.question,
    }
    rules = RemarkRules.from_settings(form.settings)
    remark = Remark(
        consultation=consultation,
        channel=Channel.SURVEY,
        state=RemarkState.PENDING,
        idempotency_key=uuid.uuid4(),
        justification=values["justification"],
        author_kind=AuthorKind.ANONYMOUS,
        received_on=timezone.localdate(text.written_at),
        entered_by=acting_user,
        submitted_at=text.written_at,
        source_key=text.key,
        source_label=text_checked({"label": label[:600]}, {"label": 600})["label"],
        visibility=Visibility.AWAITING
        if rules.moderation == MODERATION_PRE
        else Visibility.PUBLISHED,
    )
    _register(remark, now=now)
    try:
        with transaction.atomic():
            remark.save()
    except IntegrityError:
        # A colleague promoted the same answer at the same moment: theirs stands.
        existing = Remark.objects.filter(source_key=text.key).first()
        if existing is None:
            raise
        raise _already(existing) from None
    # An answer given in the survey's window is never late; the rest of the rules apply.
    issues = _issues_on_registration(remark, rules=rules, window_end=None, late=False)
    FormalIssue.objects.bulk_create(issues)
    if issues:
        remark.formally_defective = True
        remark.save(update_fields=["formally_defective"])
    audit_record(
        acting_user=acting_user,
        action="remark_promote",
        target=remark,
        consultation=consultation,
        details={"reference": remark.reference, "source": text.key},
    )
    return remark
