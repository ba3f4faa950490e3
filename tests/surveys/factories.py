"""Build surveys through the builder's services, as staff would."""

from __future__ import annotations

from typing import Any

from consultations.models import Consultation
from surveys import selectors, services
from surveys.models import Question, Survey
from surveys.services import ConditionInput, QuestionInput
from tests.consultations.factories import consultation_in_state


def survey_make(
    admin: Any, *, status: str = "open", kind: str = "survey", **settings: Any
) -> tuple[Consultation, Survey]:
    consultation = consultation_in_state(status, participation_forms=["remarks", kind])
    survey = services.survey_create(acting_user=admin, consultation=consultation, kind=kind)
    if settings:
        values = {
            "title": survey.title,
            "intro": "",
            "audience": "anyone",
            "one_per_browser": False,
            "results_public_early": False,
            **settings,
        }
        services.survey_settings_update(acting_user=admin, survey_id=survey.pk, **values)
        survey.refresh_from_db()
    return consultation, survey


def first_section_key(survey: Survey) -> str:
    return selectors.survey_current_version(survey).sections.first().key


def question_add(admin: Any, survey: Survey, qtype: str, text: str, **fields: Any) -> Question:
    condition = fields.pop("condition", None)
    section_key = fields.pop("section_key", None) or first_section_key(survey)
    return services.question_add(
        acting_user=admin,
        survey_id=survey.pk,
        section_key=section_key,
        data=QuestionInput(
            type=qtype,
            text=text,
            condition=ConditionInput(**condition) if condition else None,
            **fields,
        ),
    )


def choice_key(question: Question, text: str) -> str:
    return question.choices.get(text=text).key
