"""Moderation of what the public reads: residents' flags, hiding with a visible reason,
publishing what pre-moderation holds back. Hidden items stay in the register."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.services import audit_record
from remarks import permissions
from remarks.models import Flag, Remark, RemarkState, Support, Visibility
from remarks.rules import KIND_COMMENTS
from remarks.selectors import remark_rules
from remarks.text import text_checked


@transaction.atomic
def remark_flag(*, remark_id: int, reason: str, user: object | None = None) -> Flag:
    """A resident reports a public remark or comment; a moderator will review it."""
    remark = Remark.objects.select_for_update().get(
        pk=remark_id, state=RemarkState.REGISTERED, visibility=Visibility.PUBLISHED
    )
    reason = text_checked({"reason": reason}, {"reason": 300})["reason"]
    if not reason:
        raise ValidationError({"reason": [_("Please say what is wrong with this text.")]})
    remark.needs_review = True
    remark.save(update_fields=["needs_review"])
    return Flag.objects.create(
        remark=remark,
        reason=reason,
        user=user if isinstance(user, User) else None,  # not AnonymousUser: no one to record
    )


@transaction.atomic
def remark_hide(
    *, acting_user: User, remark_id: int, reason: str, now: datetime | None = None
) -> Remark:
    """Hide a text from the public with a reason the public reads in its place."""
    remark = Remark.objects.select_for_update().select_related("consultation").get(pk=remark_id)
    if not permissions.can_moderate(acting_user, remark.consultation):
        raise PermissionDenied
    reason = text_checked({"reason": reason}, {"reason": 300})["reason"]
    if not reason:
        raise ValidationError({"reason": [_("Please give the reason: the public will read it.")]})
    remark.visibility = Visibility.HIDDEN
    remark.hidden_reason = reason
    remark.hidden_by = acting_user
    remark.hidden_at = now or timezone.now()
    remark.needs_review = False
    remark.save(
        update_fields=["visibility", "hidden_reason", "hidden_by", "hidden_at", "needs_review"]
    )
    audit_record(
        acting_user=acting_user,
        action="remark_hide",
        target=remark,
        consultation=remark.consultation,
        details={"reference": remark.reference, "reason": reason},
    )
    return remark


@transaction.atomic
def remark_publish(*, acting_user: User, remark_id: int) -> Remark:
    """Publish a pre-moderated text, restore a hidden one, or clear flags on a public one."""
    remark = Remark.objects.select_for_update().select_related("consultation").get(pk=remark_id)
    if not permissions.can_moderate(acting_user, remark.consultation):
        raise PermissionDenied
    previous = remark.visibility
    remark.visibility = Visibility.PUBLISHED
    remark.hidden_reason = ""
    remark.hidden_by = None
    remark.hidden_at = None
    remark.needs_review = False
    remark.save(
        update_fields=["visibility", "hidden_reason", "hidden_by", "hidden_at", "needs_review"]
    )
    audit_record(
        acting_user=acting_user,
        action="remark_publish",
        target=remark,
        consultation=remark.consultation,
        details={"reference": remark.reference, "was": previous},
    )
    return remark


@transaction.atomic
def comment_support(*, user: User, remark_id: int, now: datetime | None = None) -> bool:
    """A signed-in resident supports a comment on the draft, once (a unique constraint).
    Returns False when they had already supported it."""
    remark = Remark.objects.select_related("consultation").get(
        pk=remark_id,
        state=RemarkState.REGISTERED,
        visibility=Visibility.PUBLISHED,
        parent__isnull=True,
    )
    rules = remark_rules(remark.consultation, KIND_COMMENTS)
    form_open = False
    from remarks.selectors import participation_form_of

    form = participation_form_of(remark.consultation, KIND_COMMENTS)
    form_open = form is not None and form.is_open_at(now or timezone.now())
    if rules is None or not rules.supports_allowed or not form_open:
        raise ValidationError(_("Comments cannot be supported in this consultation now."))
    _support, created = Support.objects.get_or_create(remark=remark, user=user)
    return created
