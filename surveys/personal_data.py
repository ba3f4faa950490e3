"""Surveys' part in residents' data rights (accounts.personal_data): the responses a
resident gave while signed in (surveys for verified e-mail addresses)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from surveys.models import Answer, Response


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
