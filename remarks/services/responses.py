"""Groups of near-identical remarks and the reasoned response to each remark or group."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.models import Consultation
from consultations.services import audit_record
from remarks import permissions
from remarks.models import Decision, Remark, RemarkGroup, RemarkState, Response
from remarks.text import text_checked


@transaction.atomic
def remarks_group(
    *, acting_user: User, consultation_id: int, remark_ids: Iterable[int], title: str
) -> RemarkGroup:
    """Put remarks of one consultation into a new group answered by one response. A remark
    whose own response is already approved cannot be grouped (its answer is public); an
    unapproved draft of its own is dropped in favour of the group's."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if not permissions.can_check_formally(acting_user, consultation):
        raise PermissionDenied
    ids = sorted(set(remark_ids))
    title = text_checked({"title": title}, {"title": 200})["title"]
    errors: dict[str, list[str]] = {}
    if len(ids) < 2:
        errors["remarks"] = [_("Choose at least two remarks to group.")]
    if not title:
        errors["title"] = [_("Please name the group.")]
    if errors:
        raise ValidationError(errors)
    remarks = list(
        Remark.objects.select_for_update()
        .filter(pk__in=ids, consultation=consultation, state=RemarkState.REGISTERED)
        .order_by("pk")
    )
    if len(remarks) != len(ids):
        raise ValidationError({"remarks": [_("Choose remarks of this consultation.")]})
    approved = Response.objects.filter(remark__in=remarks, approved_at__isnull=False)
    if approved.exists():
        raise ValidationError(
            {
                "remarks": [
                    _("Remarks with an approved response cannot be grouped: %(refs)s")
                    % {
                        "refs": ", ".join(
                            r.remark.reference or "" for r in approved if r.remark is not None
                        )
                    }
                ]
            }
        )
    Response.objects.filter(remark__in=remarks).delete()
    group = RemarkGroup.objects.create(
        consultation=consultation, title=title, created_by=acting_user
    )
    Remark.objects.filter(pk__in=ids).update(group=group)
    audit_record(
        acting_user=acting_user,
        action="remark_group",
        target=group,
        consultation=consultation,
        details={"references": [r.reference for r in remarks], "title": title},
    )
    return group


@transaction.atomic
def remark_ungroup(*, acting_user: User, remark_id: int) -> None:
    """Take a remark out of its group while the group's response is not approved."""
    remark = Remark.objects.select_for_update().select_related("consultation").get(pk=remark_id)
    if not permissions.can_check_formally(acting_user, remark.consultation):
        raise PermissionDenied
    if remark.group_id is None:
        return
    if Response.objects.filter(group_id=remark.group_id, approved_at__isnull=False).exists():
        raise ValidationError(_("The group's response is approved: its remarks stay in it."))
    group_id = remark.group_id
    remark.group = None
    remark.save(update_fields=["group"])
    audit_record(
        acting_user=acting_user,
        action="remark_ungroup",
        target=remark,
        consultation=remark.consultation,
        details={"group": group_id},
    )


def _target(
    *, remark_id: int | None, group_id: int | None
) -> tuple[Remark | None, RemarkGroup | None, Consultation]:
    if (remark_id is None) == (group_id is None):
        raise ValueError("answer either a remark or a group")
    if remark_id is not None:
        remark = (
            Remark.objects.select_for_update(of=("self",))
            .select_related("consultation")
            .get(pk=remark_id, state=RemarkState.REGISTERED)
        )
        if remark.group_id is not None:
            raise ValidationError(_("This remark is in a group: the group's response answers it."))
        return remark, None, remark.consultation
    assert group_id is not None  # checked above: exactly one of the two is given
    group = (
        RemarkGroup.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .get(pk=group_id)
    )
    return None, group, group.consultation


@transaction.atomic
def response_draft(
    *,
    acting_user: User,
    decision: str,
    justification: str,
    remark_id: int | None = None,
    group_id: int | None = None,
    now: datetime | None = None,
) -> Response:
    """Write or rewrite the response to a remark or a group: a decision and a justification
    that cannot be empty. Rewriting an approved response withdraws the approval: a second
    person must approve the new text before the public sees it."""
    now = now or timezone.now()
    remark, group, consultation = _target(remark_id=remark_id, group_id=group_id)
    if not permissions.can_draft_response(acting_user, consultation):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("Choose a decision.")]
    try:
        justification = text_checked({"justification": justification}, {"justification": 10_000})[
            "justification"
        ]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not justification:
            errors["justification"] = [_("The justification cannot be empty.")]
    if errors:
        raise ValidationError(errors)
    response = Response.objects.select_for_update().filter(remark=remark, group=group).first()
    if response is None:
        response = Response(remark=remark, group=group)
    response.decision = decision
    response.justification = justification
    response.drafted_by = acting_user
    response.drafted_at = now
    response.approved_by = None
    response.approved_at = None
    response.save()
    audit_record(
        acting_user=acting_user,
        action="response_draft",
        target=response,
        consultation=consultation,
        details={
            "decision": decision,
            "remark": remark.reference if remark else None,
            "group": group.pk if group else None,
        },
    )
    return response


@transaction.atomic
def response_approve(
    *, acting_user: User, response_id: int, now: datetime | None = None
) -> Response:
    """A second staff member, not the author, approves the response: it becomes public."""
    now = now or timezone.now()
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("remark__consultation", "group__consultation")
        .get(pk=response_id)
    )
    target = response.remark or response.group
    assert target is not None  # a check constraint: a response answers a remark or a group
    consultation = target.consultation
    if response.approved_at is not None:
        return response
    if response.drafted_by_id == acting_user.pk:
        raise ValidationError(_("A response is approved by a second person, not by its author."))
    if not permissions.can_approve_response(acting_user, consultation, response.drafted_by_id):
        raise PermissionDenied
    response.approved_by = acting_user
    response.approved_at = now
    response.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        acting_user=acting_user,
        action="response_approve",
        target=response,
        consultation=consultation,
        details={"decision": response.decision},
    )
    return response
