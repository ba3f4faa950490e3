"""Invited e-mail addresses and their one-time links.

A survey for invited addresses only (``Audience.INVITED``) is answered through a personal
link. The link's token is random (256 bits); the database keeps only its SHA-256, and the
token travels to the worker in the task's arguments, as remarks' confirmation links do. The
mail is built from the municipality's stored domain (never a request's Host header).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.queue import task_queue_on_commit
from consultations.services import audit_record
from surveys.mail import invitation_mail
from surveys.models import Invitation, Survey

# One paste of addresses at most; a cooperation programme invites tens of NGOs, not thousands.
INVITATIONS_AT_ONCE = 500
EMAIL_MAX_LENGTH = 254


def token_hash(token: str) -> str:
    """The stored form of a link's token (surveys.selectors.invitation_by_token reads it)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _address_of(part: str) -> str:
    """ "Fundacja Rozwoju <biuro@fundacja.pl>" → "biuro@fundacja.pl"; the rest as typed."""
    part = part.strip()
    if part.endswith(">") and "<" in part:
        part = part[part.rindex("<") + 1 : -1]
    return part.strip().lower()


def emails_parse(text: str) -> list[str]:
    """The addresses of a pasted list (one a line, or separated by commas or semicolons, each
    bare or as "Name <address>"), lower-cased, without repeats; raises ValidationError
    naming every bad one."""
    if "\x00" in text:
        raise ValidationError(_("The list contains a forbidden NUL character."))
    parts = [_address_of(p) for p in re.split(r"[\n\r,;]+", text)]
    emails = list(dict.fromkeys(p for p in parts if p))
    bad = []
    for email in emails:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            bad.append(email[:80])
    if bad:
        raise ValidationError(
            ngettext(
                "This is not a valid e-mail address: %(emails)s.",
                "These are not valid e-mail addresses: %(emails)s.",
                len(bad),
            )
            % {"emails": ", ".join(bad[:10])}
        )
    if not emails:
        raise ValidationError(_("Please enter at least one e-mail address."))
    if len(emails) > INVITATIONS_AT_ONCE:
        raise ValidationError(
            _("Please enter at most %(max)d addresses at once.") % {"max": INVITATIONS_AT_ONCE}
        )
    return emails


@transaction.atomic
def survey_invitations_add(*, acting_user: Any, survey_id: int, emails_text: str) -> list[str]:
    """Invite the addresses of a pasted list, each with its own one-time link mailed by the
    worker once this commits. An address already invited is skipped (its link still works).
    Returns the addresses newly invited."""
    survey = Survey.objects.select_for_update().select_related("consultation").get(pk=survey_id)
    emails = emails_parse(emails_text)
    known = set(
        survey.invitations.annotate(low=Lower("email"))
        .filter(low__in=emails)
        .values_list("low", flat=True)
    )
    added = []
    for email in emails:
        if email in known:
            continue
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            survey=survey, email=email, token_hash=token_hash(token), created_by=acting_user
        )
        task_queue_on_commit("surveys.tasks.survey_invitation_send", invitation.pk, token)
        added.append(email)
    if added:
        audit_record(
            acting_user=acting_user,
            action="survey_invitations_add",
            target=survey,
            consultation=survey.consultation,
            details={"count": len(added)},
        )
    return added


def survey_invitation_mail_send(*, invitation_id: int, token: str) -> bool:
    """Mail the one-time link of an invitation not yet used (the task's body: sending twice
    after a retry is harmless, the link is the same). Returns whether a mail went out."""
    invitation = (
        Invitation.objects.filter(pk=invitation_id, token_hash=token_hash(token), used_at=None)
        .select_related("survey__consultation")
        .first()
    )
    if invitation is None:
        return False
    invitation_mail(invitation=invitation, token=token)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
