"""Surveys' part in residents' data rights (accounts.personal_data): the responses a
resident gave while signed in (surveys for verified e-mail addresses), the drafts kept with
their account, and the survey invitations sent to their e-mail address."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from surveys.models import Answer, Invitation, Response, SurveyDraft


def responses_export(user: User) -> list[dict[str, Any]]:
    """Every response the person gave while signed in, with their answers as stored; a file
    answer says the file's name and kind (the file itself stays with the municipality, who
    sends it on request)."""
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("survey__consultation", "version")
        .order_by("created_at", "pk")
    )
    answers: dict[int, list[Answer]] = {}
    for answer in (
        Answer.objects.filter(response__respondent=user)
        .select_related("question", "choice")
        .order_by("pk")
    ):
        answers.setdefault(answer.response_id, []).append(answer)
    out = []
    for response in responses:
        rows = []
        for answer in answers.get(response.pk, []):
            row: dict[str, Any] = {"question": answer.question.text}
            if answer.choice is not None:
                row["choice"] = answer.choice.text
            if answer.number is not None:
                row["number"] = str(answer.number.normalize())
            if answer.date is not None:
                row["date"] = answer.date.isoformat()
            if answer.file:
                row["file_name"] = answer.text
                row["file_kind"] = answer.file_kind
            elif answer.text:
                row["text"] = answer.text
            rows.append(row)
        out.append(
            {
                "consultation": response.survey.consultation.title,
                "survey": response.survey.title,
                "version": response.version.number,
                "sent_at": response.created_at.isoformat(),
                "answers": rows,
            }
        )
    return out


def responses_anonymise(user: User) -> None:
    """The person's responses stay (results and the report count them) but no longer point
    at the account, and the names of the files they attached (which may carry their name)
    become neutral ones."""
    for answer in Answer.objects.filter(response__respondent=user).exclude(file=""):
        answer.text = f"plik-{answer.pk}.{answer.file_kind}"
        answer.save(update_fields=["text"])
    Response.objects.filter(respondent=user).update(respondent=None)


def drafts_export(user: User) -> list[dict[str, Any]]:
    """The drafts kept with the account, as typed (field name → values)."""
    return [
        {
            "consultation": draft.survey.consultation.title,
            "survey": draft.survey.title,
            "version": draft.version.number,
            "saved_at": draft.saved_at.isoformat(),
            "answers_as_typed": draft.data,
        }
        for draft in SurveyDraft.objects.filter(account=user)
        .select_related("survey__consultation", "version")
        .order_by("saved_at", "pk")
    ]


def drafts_anonymise(user: User) -> None:
    """A draft is nobody's contribution yet: the account's drafts are deleted."""
    SurveyDraft.objects.filter(account=user).delete()


def invitations_export(user: User) -> list[dict[str, Any]]:
    """The survey invitations sent to the account's e-mail address: which survey, when the
    link was sent and when it was used (never the link itself: only its hash is kept)."""
    if not user.email:
        return []
    return [
        {
            "consultation": invitation.survey.consultation.title,
            "survey": invitation.survey.title,
            "email": invitation.email,
            "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
            "used_at": invitation.used_at.isoformat() if invitation.used_at else None,
        }
        for invitation in Invitation.objects.filter(email__iexact=user.email)
        .select_related("survey__consultation")
        .order_by("created_at", "pk")
    ]


def invitations_anonymise(user: User) -> None:
    """The invitations stay (the response sent through a link points at its invitation, and
    the link must stay used) with a neutral address instead of the person's; the token's
    hash is kept, so a used link stays used."""
    if not user.email:
        return
    for invitation in Invitation.objects.filter(email__iexact=user.email):
        invitation.email = f"zaproszenie-{invitation.pk}@anonimizacja.invalid"
        invitation.save(update_fields=["email"])
