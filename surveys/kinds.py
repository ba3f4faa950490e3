"""The participation kinds this app registers with consultations: "survey" and "poll"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from consultations import participation
from consultations.models import Consultation
from surveys import selectors
from surveys.files import download_name
from surveys.models import SurveyKind
from surveys.permissions import OPERATOR_SURVEY_ADDON


def _count(kind: str) -> Any:
    def count(consultation: Consultation) -> int:
        return selectors.contribution_count_of(consultation, kind)

    return count


def _shown(count: int | None) -> int | str:
    """A count as the public report shows it: withheld below 5 (None) says so in words."""
    return count if count is not None else str(_("fewer than 5"))


def report_blocks(title: str, total: int, results: Any) -> list[dict[str, Any]]:
    """The section's blocks for the report: figures, a chart per choice question (with its
    table), a table per matrix, mean/min/max per number or scale. Free-text answers are only
    counted: they may hold personal data and are not reproduced in the public report."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "facts",
            "items": [[str(_("Survey")), title], [str(_("Responses")), total]],
        }
    ]
    for number, result in enumerate(results.questions, start=1):
        data = result.as_data()
        caption = f"{number}. {data['question']}"
        answered = str(_("Answered: %(count)s")) % {"count": data["answered"]}
        if data["matrix"]:
            blocks.append(
                {
                    "type": "table",
                    "caption": f"{caption} ({answered})",
                    "sheet": f"{_('Question')} {number}",
                    "headers": [str(_("Row")), *map(str, data["columns"]), str(_("Mean"))],
                    "rows": [
                        [
                            row["row"],
                            *map(_shown, row["counts"]),
                            row["mean"] if row["mean"] is not None else "",
                        ]
                        for row in data["matrix"]
                    ],
                }
            )
        elif data["type"] == "file":
            blocks.append(
                {
                    "type": "paragraph",
                    "text": f"{caption}: "
                    + str(
                        _(
                            "Files received: %(count)s. Neither the files nor their names are "
                            "reproduced in the report because they may contain personal "
                            "data; the municipality keeps them in the consultation's archive."
                        )
                    )
                    % {"count": data["answered"]},
                }
            )
        elif data["rows"]:
            blocks.append(
                {
                    "type": "chart",
                    "caption": f"{caption} ({answered})",
                    "bars": [{**row, "count": _shown(row["count"])} for row in data["rows"]],
                }
            )
        elif data["mean"] is not None or data["minimum"] is not None:
            blocks.append(
                {
                    "type": "facts",
                    "caption": caption,
                    "items": [
                        [str(_("Answered")), data["answered"]],
                        [str(_("Mean")), data["mean"] if data["mean"] is not None else "–"],
                        [str(_("Lowest")), data["minimum"] if data["minimum"] is not None else "–"],
                        [
                            str(_("Highest")),
                            data["maximum"] if data["maximum"] is not None else "–",
                        ],
                    ],
                }
            )
        else:
            blocks.append(
                {
                    "type": "paragraph",
                    "text": f"{caption}: "
                    + str(
                        _(
                            "%(count)s answers in free text. They are not reproduced in the "
                            "report because they may contain personal data; the municipality "
                            "keeps them in the consultation's archive."
                        )
                    )
                    % {"count": data["answered"]},
                }
            )
    return blocks


def _archive(kind: str) -> Any:
    def files(consultation: Consultation) -> list[tuple[str, bytes]]:
        """Every response (CSV) and the codebook, for the consultation's archive."""
        import csv
        import io

        survey = selectors.survey_of(consultation, kind)
        if survey is None:
            return []
        header, rows, codebook = selectors.export_table(survey)
        # The files residents attached, under safe names (the answer's number leads, so
        # the export's file names find them).
        attached = [
            (f"{kind}-pliki/{download_name(answer.pk, answer.text, answer.file_kind)}", answer)
            for answer in selectors.answer_files_of(survey)
        ]
        out = []
        for name, table in (
            (f"{kind}-odpowiedzi.csv", [header, *rows]),
            (f"{kind}-kodowanie.csv", codebook),
        ):
            text = io.StringIO()
            csv.writer(text, delimiter=";").writerows(table)
            out.append((name, ("\ufeff" + text.getvalue()).encode("utf-8")))
        for name, answer in attached:
            try:
                with answer.file.open("rb") as handle:
                    out.append((name, handle.read()))
            except FileNotFoundError:
                continue
        return out

    return files


def _ready(kind: str) -> Any:
    def ready(consultation: Consultation) -> bool:
        return selectors.survey_ready(consultation, kind)

    return ready


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
            "blocks": report_blocks(survey.title, total, results),
        }

    return section


def _personal(kind: str) -> Any:
    def strings(consultation: Consultation) -> list[str]:
        """Names of the files residents attached: a resident may name a file after
        themselves ("wniosek Jan Kowalski.pdf"), so the report removes them wherever they
        were typed into free text."""
        return selectors.file_names_of(consultation, kind)

    return strings


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
    resident_ready=_ready(SurveyKind.SURVEY),
    panel_url_name="panel_survey_builder",
    addon_code=None,
    # The provider's staff build the survey for a municipality that orders it
    # (surveys.views_provider).
    service_addon_code=OPERATOR_SURVEY_ADDON,
    contribution_count=_count(SurveyKind.SURVEY),
    report_section=_report(SurveyKind.SURVEY),
    free_texts=_free_texts(SurveyKind.SURVEY),
    archive_files=_archive(SurveyKind.SURVEY),
    personal_strings=_personal(SurveyKind.SURVEY),
    weight=30,
)
POLL = participation.ParticipationKind(
    name=SurveyKind.POLL,
    label=_("Poll"),
    resident_actions=("vote",),
    resident_url_name="poll_answer",
    resident_ready=_ready(SurveyKind.POLL),
    panel_url_name="panel_poll_builder",
    addon_code=None,
    contribution_count=_count(SurveyKind.POLL),
    report_section=_report(SurveyKind.POLL),
    archive_files=_archive(SurveyKind.POLL),
    weight=35,
)
