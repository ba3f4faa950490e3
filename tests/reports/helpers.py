"""Seeding a closed consultation with a register, responses and a survey, straight through
the ORM (bulk inserts: the benchmark seeds 5,000 remarks and 100,000 survey responses)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from remarks.models import (
    AuthorKind,
    Channel,
    Decision,
    Remark,
    RemarkGroup,
    RemarkState,
    Response,
    Visibility,
)
from surveys.models import Answer, Choice, Question, QuestionType, Section, Survey, SurveyVersion
from surveys.models import Response as SurveyResponse
from surveys.services.tallies import tallies_rebuild

# Private persons seeded into the register and the survey's free text: none of these may
# appear in any format of the report.
PRIVATE_NAMES = ["Zdzisława Kwiatkowska", "Bogumił Wróblewski", "Henryka Szczepańska"]
PRIVATE_EMAILS = ["zdzislawa.k@poczta.test", "bogumil.wroblewski@poczta.test", "h.sz@poczta.test"]
PRIVATE_ADDRESSES = ["ul. Jaśminowa 17/4, 74-400 Dębno"]
ORGANISATION = "Stowarzyszenie Przyjaciół Rynku"
CHANNELS = [Channel.ONLINE, Channel.PAPER, Channel.EMAIL, Channel.EPUAP, Channel.MEETING]
DECISIONS = [Decision.ACCEPTED, Decision.PARTLY, Decision.REJECTED, Decision.NOT_APPLICABLE]


def remarks_seed(
    consultation: Any,
    *,
    count: int,
    drafter: Any,
    approver: Any | None,
    unanswered: int = 0,
    grouped: int = 0,
) -> list[Remark]:
    """``count`` registered remarks: private persons (names and e-mails from the lists above,
    one also typed into the remark's text), an organisation, anonymous ones; all answered and
    approved (``approver``) but the last ``unanswered``; the first ``grouped`` in one group."""
    now = timezone.now()
    registered = now - timedelta(days=5)
    remarks = []
    for index in range(count):
        person = index % 3
        kind = [AuthorKind.PERSON, AuthorKind.ORGANISATION, AuthorKind.ANONYMOUS][person]
        name = PRIVATE_NAMES[index % len(PRIVATE_NAMES)]
        email = PRIVATE_EMAILS[index % len(PRIVATE_EMAILS)]
        remarks.append(
            Remark(
                consultation=consultation,
                channel=CHANNELS[index % len(CHANNELS)],
                # A remark made at a meeting names it (remarks' check constraint).
                meeting_event_label=(
                    "Spotkanie otwarte (20 stycznia 2027, 17:00)"
                    if CHANNELS[index % len(CHANNELS)] == Channel.MEETING
                    else ""
                ),
                state=RemarkState.REGISTERED,
                reference=f"U/{consultation.pk}/{index + 1}/{uuid.uuid4().hex[:6]}",
                idempotency_key=uuid.uuid4(),
                document_part=f"§ {index % 12 + 1}",
                current_wording="Park jest otwarty w godzinach 6–22.",
                proposed_wording=f"Park otwarty całą dobę (uwaga {index + 1}).",
                # A resident typed their own name and address into the text too.
                justification=(
                    f"Piszę jako {name}, mieszkam: {PRIVATE_ADDRESSES[0]}; kontakt {email}."
                    if kind == AuthorKind.PERSON and index % 6 == 0
                    else "Mieszkańcy wracają późno z pracy."
                ),
                author_kind=kind,
                author_name=name if kind == AuthorKind.PERSON else "",
                organisation_name=ORGANISATION if kind == AuthorKind.ORGANISATION else "",
                address=PRIVATE_ADDRESSES[0] if kind == AuthorKind.PERSON else "",
                email=email if kind != AuthorKind.ANONYMOUS else "",
                submitted_at=registered,
                registered_at=registered + timedelta(seconds=index),
                visibility=Visibility.PUBLISHED,
            )
        )
    remarks = Remark.objects.bulk_create(remarks, batch_size=2000)
    group = None
    if grouped:
        group = RemarkGroup.objects.create(
            consultation=consultation, title="Godziny otwarcia parku", created_by=drafter
        )
        Remark.objects.filter(pk__in=[r.pk for r in remarks[:grouped]]).update(group=group)
        Response.objects.create(
            group=group,
            decision=Decision.PARTLY,
            justification="Park będzie otwarty do 24:00 (odpowiedź wspólna dla grupy).",
            drafted_by=drafter,
            drafted_at=now,
            approved_by=approver,
            approved_at=now if approver else None,
        )
    answered = remarks[grouped : count - unanswered]
    Response.objects.bulk_create(
        [
            Response(
                remark=remark,
                decision=DECISIONS[index % len(DECISIONS)],
                justification=f"Uzasadnienie rozstrzygnięcia nr {index + 1}.",
                drafted_by=drafter,
                drafted_at=now,
                approved_by=approver,
                approved_at=now if approver else None,
            )
            for index, remark in enumerate(answered)
        ],
        batch_size=2000,
    )
    return remarks


def survey_seed(consultation: Any, *, responses: int, batch: int = 5000) -> Survey:
    """A survey of three questions (single choice, scale, free text), with ``responses``
    responses; the free text names private persons and gives e-mails."""
    survey = Survey.objects.create(
        consultation=consultation, kind="survey", title="Ankieta o rynku"
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    section = Section.objects.create(version=version, position=0, title="Rynek")
    single = Question.objects.create(
        section=section, position=0, type=QuestionType.SINGLE, text="Czy rynek potrzebuje zieleni?"
    )
    choices = [
        Choice.objects.create(question=single, position=i, text=text)
        for i, text in enumerate(["Tak", "Nie", "Nie mam zdania"])
    ]
    scale = Question.objects.create(
        section=section, position=1, type=QuestionType.SCALE, text="Ocena projektu", max_value=5
    )
    free = Question.objects.create(
        section=section, position=2, type=QuestionType.LONG_TEXT, text="Uwagi własne"
    )
    done = 0
    while done < responses:
        size = min(batch, responses - done)
        rows = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(survey=survey, version=version, idempotency_key=uuid.uuid4())
                for _ in range(size)
            ],
            batch_size=size,
        )
        answers = []
        for offset, row in enumerate(rows):
            index = done + offset
            answers.append(Answer(response=row, question=single, choice=choices[index % 3]))
            answers.append(Answer(response=row, question=scale, number=index % 5 + 1))
            if index % 10 == 0:
                name = PRIVATE_NAMES[index % len(PRIVATE_NAMES)]
                answers.append(
                    Answer(
                        response=row,
                        question=free,
                        text=f"Jestem {name}, proszę o kontakt: {PRIVATE_EMAILS[0]}",
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=5000)
        done += size
    # The rows went in around the submit service: count the results' tallies as it would.
    with transaction.atomic():
        tallies_rebuild(survey=survey)
    return survey
