"""Writes of surveys: the builder (``builder``) and responses (``responses``).

The package re-exports every service so callers import ``surveys.services``."""

from surveys.services.builder import (
    ConditionInput,
    QuestionInput,
    provider_building,
    question_add,
    question_move,
    question_remove,
    question_update,
    section_add,
    section_move,
    section_remove,
    section_update,
    survey_create,
    survey_settings_update,
    text_check,
)
from surveys.services.drafts import (
    DraftOwner,
    browser_key,
    draft_data_clean,
    draft_owner,
    survey_draft_discard,
    survey_draft_save,
    survey_drafts_purge,
    survey_response_submit_with_draft,
)
from surveys.services.invitations import (
    emails_parse,
    survey_invitation_mail_send,
    survey_invitations_add,
)
from surveys.services.responses import (
    SubmitResult,
    SurveyClosed,
    answers_check,
    eligibility_error,
    survey_paper_response_enter,
    survey_response_submit,
)

__all__ = [
    "ConditionInput",
    "DraftOwner",
    "QuestionInput",
    "SubmitResult",
    "SurveyClosed",
    "answers_check",
    "browser_key",
    "draft_data_clean",
    "draft_owner",
    "eligibility_error",
    "emails_parse",
    "provider_building",
    "question_add",
    "question_move",
    "question_remove",
    "question_update",
    "section_add",
    "section_move",
    "section_remove",
    "section_update",
    "survey_create",
    "survey_draft_discard",
    "survey_draft_save",
    "survey_drafts_purge",
    "survey_invitation_mail_send",
    "survey_invitations_add",
    "survey_paper_response_enter",
    "survey_response_submit",
    "survey_response_submit_with_draft",
    "survey_settings_update",
    "text_check",
]
