"""The participation kinds this app registers with consultations: "survey" and "poll"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from consultations import participation
from consultations.models import Consultation
from surveys import selectors
from surveys.models import SurveyKind


def _count(kind: str) -> Any:
    def count(consultation: Consultation) -> int:
        return selectors.contribution_count_of(consultation, kind)

    return count


def _report(kind: str) -> Any:
    def section(consultation: Consultation) -> dict[str, Any] | None:
        """Figures and per-question results of the current version, for the report."""
        survey = selectors.survey_of(consultation, kind)
        if survey is None:
            return None
        # The report is public: small counts are withheld as on the results page.
        results = selectors.results_for_residents(selectors.survey_results(survey))
        total = selectors.response_count(survey)
        if total == 0:
            return None
        return {
            "kind": kind,
            "title": survey.title,
            "figures": {
                "responses": total,
                "responses_current_version": results.responses,
                "version": results.version.number,
                "versions": [{"number": n, "responses": c} for n, c in results.versions],
            },
            "questions": [result.as_data() for result in results.questions],
        }

    return section


def _free_texts(kind: str) -> participation.FreeTexts:
    def texts(consultation: Consultation, keys: Any) -> list[participation.FreeText]:
        """Open answers a coordinator may promote into the register of remarks."""
        return selectors.free_texts(consultation, kind, keys)

    return texts


SURVEY = participation.ParticipationKind(
    name=SurveyKind.SURVEY,
    label=_("Online survey"),
    resident_actions=("answer",),
    resident_url_name="survey_answer",
    panel_url_name="panel_survey_builder",
    addon_code=None,
    contribution_count=_count(SurveyKind.SURVEY),
    report_section=_report(SurveyKind.SURVEY),
    free_texts=_free_texts(SurveyKind.SURVEY),
    weight=30,
)
POLL = participation.ParticipationKind(
    name=SurveyKind.POLL,
    label=_("Poll"),
    resident_actions=("vote",),
    resident_url_name="poll_answer",
    panel_url_name="panel_poll_builder",
    addon_code=None,
    contribution_count=_count(SurveyKind.POLL),
    report_section=_report(SurveyKind.POLL),
    weight=35,
)
