"""Drafts of a long survey ("Zapisz i dokończ później"): a resident's unsent answers, kept
as typed so they can come back and finish.

- Owner: the signed-in account; else the one-time invitation link (the draft belongs to the
  invitation, not to a browser); else a random per-browser token from a cookie, of which only
  the SHA-256 is stored (:class:`DraftOwner`).
- Shape, not content: a draft keeps the raw form values of the survey's own fields (unknown
  fields are dropped), capped in size; a NUL character is refused. Answers are checked only
  when the response is sent. A file is never kept in a draft.
- One row per owner and survey, written by one ``INSERT ... ON CONFLICT DO UPDATE`` on the
  owner's unique index, so two saves at once update one row.
- Sending the response deletes the draft in the same transaction
  (:func:`survey_response_submit_with_draft`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.models import ParticipationForm
from surveys.models import (
    Invitation,
    Question,
    QuestionType,
    Survey,
    SurveyDraft,
    SurveyKind,
    SurveyVersion,
)
from surveys.services.responses import TEXT_LIMITS, SubmitResult, survey_response_submit

# The cookie of an anonymous resident's draft token (signed; path: the consultation's).
DRAFT_COOKIE = "survey_draft"
# The largest answer a question takes (a long text); a draft field may not be longer.
DRAFT_FIELD_LIMIT = max(TEXT_LIMITS.values())
# All the values of one draft together, in characters.
DRAFT_TOTAL_LIMIT = 60_000
# Values of one field (a multiple choice's options are the most a field has).
DRAFT_VALUES_LIMIT = 200
# Drafts are kept this long after the consultation (or the survey's own window) closes: the
# resident may still come back to copy what they wrote; then they are deleted.
DRAFT_GRACE_DAYS = 14


@dataclass(frozen=True)
class DraftOwner:
    """Whose draft: exactly one of the three is set."""

    account_id: int | None = None
    invitation_id: int | None = None
    browser_key: str = ""

    def q(self) -> Q:
        if self.account_id is not None:
            return Q(account_id=self.account_id)
        if self.invitation_id is not None:
            return Q(invitation_id=self.invitation_id)
        return Q(browser_key=self.browser_key)


def browser_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def draft_owner(
    *, user: Any, invitation: Invitation | None, browser_token: str
) -> DraftOwner | None:
    """The owner of this visitor's draft: the invitation of the link they came through,
    else their account, else their browser's token (None when they have none yet)."""
    if invitation is not None:
        return DraftOwner(invitation_id=invitation.pk)
    if user is not None and user.is_authenticated:
        return DraftOwner(account_id=user.pk)
    if browser_token:
        return DraftOwner(browser_key=browser_key(browser_token))
    return None


def draft_field_names(questions: list[Question]) -> set[str]:
    """Every field name the survey's form has (see surveys.forms.answers_from_post), but a
    file question's: its file is not kept."""
    names: set[str] = set()
    for question in questions:
        if question.type == QuestionType.FILE:
            continue
        name = f"q-{question.key}"
        names.update({name, f"{name}-other", f"{name}-point"})
        if question.type in (QuestionType.RANKING, QuestionType.MATRIX):
            names.update(f"{name}-{choice.key}" for choice in question.choices.all())
    return names


def draft_data_clean(questions: list[Question], fields: dict[str, list[str]]) -> dict[str, Any]:
    """The values to keep, by field name: the survey's own fields only, non-empty values,
    within the limits. Raises ValidationError with a message for the page."""
    allowed = draft_field_names(questions)
    data: dict[str, list[str]] = {}
    total = 0
    for name, values in fields.items():
        if name not in allowed:
            continue
        kept = [v for v in values if isinstance(v, str) and v != ""]
        if not kept:
            continue
        if len(kept) > DRAFT_VALUES_LIMIT:
            raise ValidationError(_("The draft could not be saved: too many values."))
        for value in kept:
            if "\x00" in value:
                raise ValidationError(
                    _(
                        "The draft could not be saved: an answer contains a forbidden NUL "
                        "character. Please remove it and save again."
                    )
                )
            if len(value) > DRAFT_FIELD_LIMIT:
                raise ValidationError(
                    ngettext(
                        "The draft could not be saved: an answer is longer than %(max)d character.",
                        "The draft could not be saved: an answer is longer than %(max)d "
                        "characters.",
                        DRAFT_FIELD_LIMIT,
                    )
                    % {"max": DRAFT_FIELD_LIMIT}
                )
            total += len(value)
        data[name] = kept
    if total > DRAFT_TOTAL_LIMIT:
        raise ValidationError(
            _(
                "The draft could not be saved: the answers are longer than %(max)d characters "
                "together."
            )
            % {"max": DRAFT_TOTAL_LIMIT}
        )
    return data


def _conflict_target(owner: DraftOwner) -> str:
    if owner.account_id is not None:
        return "(survey_id, account_id) WHERE account_id IS NOT NULL"
    if owner.invitation_id is not None:
        return "(survey_id, invitation_id) WHERE invitation_id IS NOT NULL"
    return "(survey_id, browser_key) WHERE NOT (browser_key = '')"


def survey_draft_save(
    *,
    survey: Survey,
    version: SurveyVersion,
    owner: DraftOwner,
    data: dict[str, Any],
    now: datetime | None = None,
) -> SurveyDraft:
    """Keep ``data`` (from :func:`draft_data_clean`) as the owner's draft of ``survey``:
    one statement that inserts the row or updates the owner's existing one, so concurrent
    saves leave one row holding the last save."""
    if survey.kind != SurveyKind.SURVEY:
        raise ValidationError(_("Only a survey keeps a draft."))
    now = now or timezone.now()
    table = SurveyDraft._meta.db_table
    field = SurveyDraft._meta.get_field("data")
    payload = field.get_db_prep_save(data, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (survey_id, version_id, account_id, invitation_id, "
            "browser_key, data, created_at, saved_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT {_conflict_target(owner)} DO UPDATE SET "
            "version_id = EXCLUDED.version_id, data = EXCLUDED.data, "
            "saved_at = EXCLUDED.saved_at RETURNING id",
            [
                survey.pk,
                version.pk,
                owner.account_id,
                owner.invitation_id,
                owner.browser_key,
                payload,
                now,
                now,
            ],
        )
        (draft_id,) = cursor.fetchone()
    return SurveyDraft.objects.get(pk=draft_id)


def survey_draft_discard(*, survey: Survey, owner: DraftOwner) -> int:
    """Delete the owner's draft of ``survey`` (none is fine). Returns how many rows."""
    deleted, _detail = SurveyDraft.objects.filter(owner.q(), survey=survey).delete()
    return deleted


def survey_response_submit_with_draft(
    *, draft_owners: list[DraftOwner], **submit: Any
) -> SubmitResult:
    """:func:`surveys.services.survey_response_submit`, and the drafts of ``draft_owners``
    (the account's and the browser's, or the invitation's) deleted in the submit's own
    transaction (its ``after_store``: a failure there stores no response and leaves no file):
    a refused response keeps its draft, a stored one leaves none."""
    if not draft_owners:
        return survey_response_submit(**submit)
    who = Q()
    for owner in draft_owners:
        who |= owner.q()

    def drafts_delete(response: Any) -> None:
        SurveyDraft.objects.filter(who, survey_id=response.survey_id).delete()

    result = survey_response_submit(**submit, after_store=drafts_delete)
    if not result.created:
        # The same response sent again (its idempotency key): nothing was written this time.
        drafts_delete(result.response)
    return result


def survey_drafts_purge(*, now: datetime | None = None) -> int:
    """Delete the drafts of surveys that closed more than :data:`DRAFT_GRACE_DAYS` ago: the
    consultation closed then (or ended by its dates), or the survey's own window ended then.
    RODO: a draft's purpose ends with the survey. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=DRAFT_GRACE_DAYS)
    forms_ended = ParticipationForm.objects.filter(
        kind=SurveyKind.SURVEY, ends_at__lt=cutoff
    ).values("consultation_id")
    deleted, _detail = SurveyDraft.objects.filter(
        Q(survey__consultation__closed_at__lt=cutoff)
        | Q(survey__consultation__ends_at__lt=cutoff)
        | Q(survey__consultation_id__in=forms_ended)
    ).delete()
    return deleted
