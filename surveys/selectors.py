"""Reads of surveys: a version's structure, results per question, exports' rows."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from consultations.models import AuditEvent, Consultation, ConsultationStatus
from consultations.participation import FreeText
from surveys.conditions import QuestionSpec, SectionSpec
from surveys.models import (
    Answer,
    Audience,
    Invitation,
    Question,
    QuestionType,
    Response,
    ResultTally,
    Section,
    Survey,
    SurveyDraft,
    SurveyKind,
    SurveyVersion,
)
from surveys.permissions import BUILDABLE, provider_survey_ordered
from tenants.selectors import schema_read_only

AFTER_CLOSE = frozenset(
    {ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED, ConsultationStatus.ARCHIVED}
)
TEXT_ANSWERS_SHOWN = 200
# Residents never see a count from 1 to 4 (k-anonymity with k = 5): in a small group, a count
# together with what a neighbour knows can tell how one person answered. Zero is shown: it
# says nothing about anyone. Staff (who may see each response anyway) see exact counts.
SMALL_COUNT = 5


@dataclass
class VersionStructure:
    version: SurveyVersion
    sections: list[Section]
    questions: list[Question]
    specs: list[SectionSpec]


def version_structure(version: SurveyVersion) -> VersionStructure:
    """Sections with their questions and choices, in page order, in three queries."""
    sections = list(version.sections.prefetch_related("questions__choices"))
    questions = [q for s in sections for q in s.questions.all()]
    specs = [
        SectionSpec(
            key=s.key,
            conditions=s.conditions,
            questions=tuple(QuestionSpec(q.key, q.conditions) for q in s.questions.all()),
        )
        for s in sections
    ]
    return VersionStructure(version, sections, questions, specs)


# Structures of frozen versions (a version with a response never changes: the builder copies
# it first), by schema, version and creation time (a schema made again reuses ids), so the
# answering page and the submit skip three queries and some eighty model instances.
_FROZEN_STRUCTURES: dict[tuple[str, int, datetime], VersionStructure] = {}
_FROZEN_STRUCTURES_MAX = 256


def version_structure_of(version: SurveyVersion, *, frozen: bool) -> VersionStructure:
    """:func:`version_structure`, kept in this process once ``frozen`` (the version has a
    response; for a submit, read under the version's lock). Read-only: callers never change
    the questions and choices it holds."""
    if not frozen:
        return version_structure(version)
    key = (getattr(connection, "schema_name", ""), version.pk, version.created_at)
    structure = _FROZEN_STRUCTURES.get(key)
    if structure is None:
        if len(_FROZEN_STRUCTURES) >= _FROZEN_STRUCTURES_MAX:
            _FROZEN_STRUCTURES.clear()
        structure = _FROZEN_STRUCTURES[key] = version_structure(version)
    return replace(structure, version=version)


def survey_and_structure(
    consultation: Consultation, kind: str
) -> tuple[Survey, VersionStructure] | None:
    """The consultation's survey of ``kind`` with its current version's structure, or None:
    the survey and the version in one query (the structure then comes from this process's
    memory once the version has a response), where the survey and then its version took
    two."""
    version = (
        SurveyVersion.objects.select_related("survey")
        .filter(survey__consultation=consultation, survey__kind=kind)
        .annotate(frozen=Exists(Response.objects.filter(version=OuterRef("pk"))))
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    survey = version.survey
    survey.consultation = consultation  # read already: no query when the caller uses it
    return survey, version_structure_of(version, frozen=version.frozen)


def survey_of(consultation: Consultation, kind: str) -> Survey | None:
    survey = Survey.objects.filter(consultation=consultation, kind=kind).first()
    if survey is not None:
        survey.consultation = consultation  # read already: no query when the caller uses it
    return survey


def survey_ready(consultation: Consultation, kind: str) -> bool:
    """Residents have something to answer: the survey is made and its current version asks
    at least one question."""
    survey = survey_of(consultation, kind)
    if survey is None:
        return False
    return Question.objects.filter(section__version=survey_current_version(survey)).exists()


def survey_current_version(survey: Survey) -> SurveyVersion:
    version = survey.versions.order_by("-number").first()
    assert version is not None  # survey_create makes every survey with its first version
    return version


def results_visible_to_residents(survey: Survey, consultation: Consultation) -> bool:
    """Residents see results once the consultation has closed, or earlier when the
    coordinator allowed it."""
    return survey.results_public_early or consultation.status in AFTER_CLOSE


def response_own(survey: Survey, *, user: Any, browser_token: str) -> Response | None:
    """The response this visitor already gave: by account on a survey for verified residents,
    else by the browser cookie on a one-per-browser survey; None when neither applies."""
    if survey.audience == Audience.VERIFIED and user.is_authenticated:
        return Response.objects.filter(survey=survey, respondent=user).first()
    if survey.one_per_browser and browser_token:
        return Response.objects.filter(survey=survey, browser_token=browser_token).first()
    return None


def invitation_by_token(survey: Survey, token: str) -> Invitation | None:
    """The invitation of this survey whose one-time link carries ``token`` (None for a wrong
    token or another survey's)."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return Invitation.objects.filter(survey=survey, token_hash=digest).first()


def invitations_of(survey: Survey) -> list[Invitation]:
    """The survey's invited addresses with whether each link was sent and used."""
    return list(survey.invitations.order_by("email", "pk"))


def response_answers(response: Response) -> list[Answer]:
    """The answer rows of one response."""
    return list(Answer.objects.filter(response=response))


def provider_builders(survey: Survey) -> list[dict[str, Any]]:
    """Who of the provider's staff built the survey (the add-on "survey prepared by the
    operator"): each e-mail with the number of changes and the last one, from the audit."""
    rows = (
        AuditEvent.objects.filter(
            target_type=Survey._meta.label_lower,
            target_id=str(survey.pk),
            details__provider=True,
        )
        .values("actor_email")
        .annotate(changes=Count("pk"), last=Max("created_at"))
        .order_by("-last")
    )
    return [
        {"email": row["actor_email"], "changes": row["changes"], "last": row["last"]}
        for row in rows
    ]


def answer_file_get(survey: Survey, answer_id: int) -> Answer | None:
    """An answer of this survey that holds a file (None for any other id: another survey's,
    another municipality's, or an answer without a file)."""
    return (
        Answer.objects.filter(pk=answer_id, response__survey=survey)
        .exclude(file="")
        .select_related("question")
        .first()
    )


def answer_files_of(survey: Survey) -> list[Answer]:
    """Every answer of the survey that holds a file, oldest first."""
    return list(Answer.objects.filter(response__survey=survey).exclude(file="").order_by("pk"))


def file_names_of(consultation: Consultation, kind: str) -> list[str]:
    """The names of the files residents attached to the consultation's survey of ``kind``
    (whole names: a name that is a common word without its extension is not removed from
    everyone's text)."""
    names = (
        Answer.objects.filter(
            response__survey__consultation=consultation, response__survey__kind=kind
        )
        .exclude(file="")
        .values_list("text", flat=True)
    )
    return sorted({name.strip() for name in names if name.strip()})


def response_count(survey: Survey) -> int:
    """Responses to every version, from the tallies (a few rows, whatever the count)."""
    return _response_total(ResultTally.objects.filter(version__survey=survey))


def contribution_count_of(consultation: Consultation, kind: str) -> int:
    """Responses to the consultation's survey of ``kind``: the portal's index counts them
    again in each submit's transaction, so from the tallies, not from the responses."""
    return _response_total(
        ResultTally.objects.filter(
            version__survey__consultation=consultation, version__survey__kind=kind
        )
    )


def _response_total(tallies: Any) -> int:
    return int(tallies.filter(question__isnull=True).aggregate(n=Sum("n"))["n"] or 0)


# --- Results --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    count: int | None  # None: hidden, a small count (see SMALL_COUNT)
    percent: float | None = None
    extra: Any = None


@dataclass
class FileRow:
    answer_id: int
    response_id: int
    name: str
    kind: str
    size: int
    submitted_at: datetime


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    minimum: Any = None
    maximum: Any = None
    texts: list[str] = field(default_factory=list)
    # Matrix: the scale's values as columns, a row per matrix row with counts per value.
    columns: list[int] = field(default_factory=list)
    matrix: list[tuple[str, list[int | None], float | None]] = field(default_factory=list)
    # True when fewer than SMALL_COUNT answered and the figures that would show them (the
    # count of answers, a mean, the lowest and highest value) are withheld from residents.
    small: bool = False
    # A file question, for staff only: the latest files (never in as_data, so never in the
    # report; results_for_residents empties it).
    files: list[FileRow] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {
            "question": self.question.text,
            "type": self.question.type,
            "answered": self.answered,
            "small": self.small,
            "rows": [{"label": r.label, "count": r.count, "percent": r.percent} for r in self.rows],
            "mean": self.mean,
            "minimum": _plain(self.minimum),
            "maximum": _plain(self.maximum),
            "columns": self.columns,
            "matrix": [
                {"row": label, "counts": counts, "mean": mean}
                for label, counts, mean in self.matrix
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value.normalize()) if value % 1 else int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _percent(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


@dataclass
class SurveyResults:
    survey: Survey
    version: SurveyVersion
    responses: int
    versions: list[tuple[int, int]]
    questions: list[QuestionResult]
    text_search: str = ""


def survey_results(
    survey: Survey, *, version_number: int | None = None, text_search: str = ""
) -> SurveyResults:
    """Counts and percentages per question of one version (the current one by default);
    percentages are of the responses that answered that question. A constant number of
    queries, and rows read, whatever the number of responses: the counts come from the
    version's tallies (surveys.services.tallies, kept by each submit), the free-text answers
    shown from the newest TEXT_ANSWERS_SHOWN of each question."""
    versions_n = dict(
        ResultTally.objects.filter(version__survey=survey, question__isnull=True)
        .values("version_id")
        .annotate(n=Sum("n"))
        .values_list("version_id", "n")
    )
    all_versions = list(survey.versions.order_by("number"))
    versions = [(v.number, int(versions_n.get(v.pk) or 0)) for v in all_versions]
    version = (
        next((v for v in all_versions if v.number == version_number), None) or (all_versions[-1])
    )
    responses = int(versions_n.get(version.pk) or 0)
    structure = version_structure_of(version, frozen=responses > 0)
    question_ids = [q.pk for q in structure.questions]
    answers = Answer.objects.filter(question_id__in=question_ids)
    # The tallies summed over their shards, by (question, choice, number, date): choice
    # counts, scale values, ranking places and matrix cells, numbers and dates; the row of
    # a question alone counts the responses that answered it. At 100,000 responses of 20
    # questions grouping the answers themselves took 4.8 s; see bench/surveys.py.
    answered: dict[int, int] = {}
    by_choice: dict[int, dict[int, int]] = defaultdict(dict)
    by_number: dict[int, dict[Any, int]] = defaultdict(dict)
    cells: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    by_date: dict[int, list[Any]] = defaultdict(list)
    for qid, cid, value, day, n in (
        ResultTally.objects.filter(version=version, question__isnull=False)
        .values("question_id", "choice_id", "number", "date")
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
        .values_list("question_id", "choice_id", "number", "date", "total")
    ):
        if cid is None and value is None and day is None:
            answered[qid] = n
        elif cid is not None and value is None:
            by_choice[qid][cid] = n
        elif cid is None and value is not None:
            by_number[qid][value] = n
        elif cid is not None and value is not None:
            cells[qid][(cid, int(value))] = n
        else:
            by_date[qid].append(day)
    stats: dict[int, dict[str, Any]] = defaultdict(dict)
    for qid, values in by_number.items():
        count = sum(values.values())
        total = sum((value * n for value, n in values.items()), Decimal(0))
        stats[qid].update(mean=total / count, low=min(values), high=max(values))
    for qid, days in by_date.items():
        stats[qid].update(first=min(days), last=max(days))
    types = {q.pk: q.type for q in structure.questions}
    text_ids = [
        qid
        for qid, qtype in types.items()
        if qtype in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
    ]
    texts: dict[int, list[str]] = defaultdict(list)
    for qid in text_ids:
        # Newest first through the (question, choice, id) index: the rows shown are read,
        # not the question's every answer (a search reads them, in the database).
        text_qs = answers.filter(question_id=qid, choice_id__isnull=True).exclude(text="")
        if text_search:
            text_qs = text_qs.filter(text__icontains=text_search)
        texts[qid] = list(
            text_qs.order_by("-id").values_list("text", flat=True)[:TEXT_ANSWERS_SHOWN]
        )
    file_ids = [qid for qid, qtype in types.items() if qtype == QuestionType.FILE]
    files: dict[int, list[FileRow]] = defaultdict(list)
    for answer in (
        answers.filter(question_id__in=file_ids)
        .exclude(file="")
        .select_related("response")
        .order_by("question_id", "-id")
        if file_ids
        else []
    ):
        if len(files[answer.question_id]) < TEXT_ANSWERS_SHOWN:
            try:
                size = answer.file.size
            except OSError:
                size = 0
            files[answer.question_id].append(
                FileRow(
                    answer.pk,
                    answer.response_id,
                    answer.text,
                    answer.file_kind,
                    size,
                    answer.response.created_at,
                )
            )
    other_ids = [c.pk for q in structure.questions for c in q.choices.all() if c.is_other]
    others: dict[int, list[str]] = defaultdict(list)
    for qid, text in (
        answers.filter(choice_id__in=other_ids)
        .exclude(text="")
        .order_by("question_id", "-id")
        .values_list("question_id", "text")[: TEXT_ANSWERS_SHOWN * 10]
        if other_ids
        else []
    ):
        others[qid].append(text)

    results = []
    for question in structure.questions:
        total = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=total)
        choices = list(question.choices.all())
        if question.type in (
            QuestionType.SINGLE,
            QuestionType.MULTIPLE,
            QuestionType.AREA,
            QuestionType.POINT,
        ):
            counts = by_choice.get(question.pk, {})
            result.rows = [
                Row(c.text, counts.get(c.pk, 0), _percent(counts.get(c.pk, 0), total))
                for c in choices
            ]
            result.texts = others.get(question.pk, [])
        elif question.type == QuestionType.SCALE:
            counts = by_number.get(question.pk, {})
            top = question.max_value or 5
            result.rows = [
                Row(str(v), counts.get(v, 0), _percent(counts.get(v, 0), total))
                for v in range(1, top + 1)
            ]
            result.mean = _number(stats.get(question.pk, {}).get("mean"))
        elif question.type == QuestionType.NUMBER:
            row = stats.get(question.pk, {})
            result.mean = _number(row.get("mean"))
            result.minimum, result.maximum = row.get("low"), row.get("high")
        elif question.type == QuestionType.DATE:
            row = stats.get(question.pk, {})
            result.minimum, result.maximum = row.get("first"), row.get("last")
        elif question.type == QuestionType.RANKING:
            # Score: an item placed first of n gets n points, last gets 1 (Borda count).
            n = len(choices)
            qcells = cells.get(question.pk, {})
            for choice in choices:
                places = {p: qcells.get((choice.pk, p), 0) for p in range(1, n + 1)}
                votes = sum(places.values())
                score = sum((n + 1 - p) * k for p, k in places.items())
                mean = round(sum(p * k for p, k in places.items()) / votes, 2) if votes else None
                result.rows.append(Row(choice.text, score, None, mean))
            result.rows.sort(key=lambda r: -(r.count or 0))
        elif question.type == QuestionType.MATRIX:
            top = question.max_value or 5
            result.columns = list(range(1, top + 1))
            qcells = cells.get(question.pk, {})
            for choice in choices:
                tally: list[int | None] = [qcells.get((choice.pk, v), 0) for v in result.columns]
                votes = sum(k or 0 for k in tally)
                mean = (
                    round(
                        sum(v * (k or 0) for v, k in zip(result.columns, tally, strict=True))
                        / votes,
                        2,
                    )
                    if votes
                    else None
                )
                result.matrix.append((choice.text, tally, mean))
        elif question.type == QuestionType.FILE:
            result.files = files.get(question.pk, [])
        else:
            result.texts = texts.get(question.pk, [])
        results.append(result)
    return SurveyResults(survey, version, responses, versions, results, text_search)


def _small(count: int | None) -> bool:
    return count is not None and 0 < count < SMALL_COUNT


def results_for_residents(results: SurveyResults) -> SurveyResults:
    """The same results with every count from 1 to SMALL_COUNT - 1 withheld, for the public
    results page and a poll's result after voting. A question that fewer than SMALL_COUNT
    people answered shows no mean, lowest or highest value (the lowest and highest of four
    answers are two people's answers) and no ranking scores; each row and matrix cell with a
    small count shows "fewer than 5" instead of its count and share. Free-text answers stay:
    they are published as contributions, like remarks."""
    questions = []
    for result in results.questions:
        # Residents never see a file nor its name: only how many were received.
        masked = replace(result, rows=list(result.rows), matrix=list(result.matrix), files=[])
        if _small(result.answered):
            masked.small = True
            masked.mean = masked.minimum = masked.maximum = None
        if result.question.type == QuestionType.RANKING:
            if masked.small:
                masked.rows = [Row(r.label, None, None, None) for r in result.rows]
        else:
            masked.rows = [
                Row(r.label, None, None, r.extra) if _small(r.count) else r for r in result.rows
            ]
        masked.matrix = [
            (label, [None if _small(n) else n for n in counts], None if masked.small else mean)
            for label, counts, mean in result.matrix
        ]
        questions.append(masked)
    return replace(results, questions=questions)


# --- Exports --------------------------------------------------------------------------------


def export_table(survey: Survey) -> tuple[list[str], list[list[Any]], list[list[str]]]:
    """(header, one row per response, codebook rows) over every version of the survey.
    Columns follow the question keys, so a question kept from version to version is one
    column; the codebook says which versions asked it and what its values mean."""
    questions = list(
        Question.objects.filter(section__version__survey=survey)
        .select_related("section__version")
        .prefetch_related("choices")
        .order_by("section__version__number", "section__position", "position", "pk")
    )
    keys: dict[str, Question] = {}
    versions_of: dict[str, list[int]] = defaultdict(list)
    for question in questions:
        keys[question.key] = question  # the latest wording wins
        versions_of[question.key].append(question.section.version.number)
    order = list(dict.fromkeys(q.key for q in questions))
    header = ["response_id", "version", "channel", "submitted_at"]
    for key in order:
        question = keys[key]
        if question.type in (QuestionType.RANKING, QuestionType.MATRIX):
            header += [f"{question.text} — {c.text}" for c in question.choices.all()]
        else:
            header.append(question.text)
        if any(c.is_other for c in question.choices.all()):
            header.append(f"{question.text} — inne (jakie?)")
        if question.type == QuestionType.POINT:
            header.append(f"{question.text} — punkt (szerokość, długość)")
    choice_key = {c.pk: c.key for q in questions for c in q.choices.all()}
    question_key = {q.pk: q.key for q in questions}
    rows: list[list[Any]] = []
    answers: dict[int, list[Answer]] = defaultdict(list)
    responses = list(
        Response.objects.filter(survey=survey).select_related("version").order_by("pk")
    )
    for answer in Answer.objects.filter(response__survey=survey).select_related("choice"):
        answers[answer.response_id].append(answer)
    for response in responses:
        cells: dict[str, list[str]] = defaultdict(list)
        for answer in answers[response.pk]:
            key = question_key[answer.question_id]
            question = keys[key]
            if question.type in (QuestionType.RANKING, QuestionType.MATRIX):
                # survey_response_submit stores a rank or a matrix cell as a choice and a number
                assert answer.choice_id is not None and answer.number is not None
                cells[f"{key}:{choice_key[answer.choice_id]}"].append(str(int(answer.number)))
            elif answer.choice is not None:
                cells[key].append(answer.choice.text)
                if answer.choice.is_other:
                    cells[key + ":other"].append(answer.text)
                elif question.type == QuestionType.POINT and answer.text:
                    cells[key + ":point"].append(answer.text)
            elif answer.number is not None:
                cells[key].append(str(_plain(answer.number)))
            elif answer.date is not None:
                cells[key].append(answer.date.isoformat())
            else:
                cells[key].append(answer.text)
        submitted: datetime = response.created_at
        row: list[Any] = [
            response.pk,
            response.version.number,
            response.channel,
            submitted.isoformat(timespec="seconds"),
        ]
        for key in order:
            question = keys[key]
            if question.type in (QuestionType.RANKING, QuestionType.MATRIX):
                row += ["; ".join(cells[f"{key}:{c.key}"]) for c in question.choices.all()]
            else:
                row.append("; ".join(cells[key]))
            if any(c.is_other for c in question.choices.all()):
                row.append("; ".join(cells[key + ":other"]))
            if question.type == QuestionType.POINT:
                row.append("; ".join(cells[key + ":point"]))
        rows.append(row)
    codebook = [["question", "type", "versions", "values"]]
    for key in order:
        question = keys[key]
        values = ", ".join(c.text for c in question.choices.all())
        if question.type in (QuestionType.SCALE, QuestionType.MATRIX):
            values = f"1–{question.max_value} ({question.min_label} … {question.max_label})"
        elif question.type == QuestionType.RANKING:
            values = "1 = first place"
        codebook.append(
            [
                question.text,
                question.get_type_display(),
                ", ".join(map(str, versions_of[key])),
                values,
            ]
        )
    return header, rows, codebook


# --- Open answers for the register of remarks ----------------------------------------------
# A coordinator may promote an open answer into the register (consultations.participation's
# ``free_texts``); the register keeps the key so an answer is promoted at most once.

FREE_TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
FREE_TEXT_KEY_PREFIX = "survey:answer:"


def free_texts(
    consultation: Consultation, kind: str, keys: Collection[str] | None = None
) -> list[FreeText]:
    """The non-empty answers to the text questions of the consultation's survey of ``kind``,
    in the order they were given, as plain data."""
    answers = (
        Answer.objects.filter(
            response__survey__consultation=consultation,
            response__survey__kind=kind,
            question__type__in=FREE_TEXT_TYPES,
        )
        .exclude(text="")
        .select_related("question", "response__survey")
        .order_by("response__created_at", "pk")
    )
    if keys is not None:
        prefix = FREE_TEXT_KEY_PREFIX
        ids = [
            int(k[len(prefix) :])
            for k in keys
            if k.startswith(prefix) and k[len(prefix) :].isdigit()
        ]
        answers = answers.filter(pk__in=ids)
    return [
        FreeText(
            key=f"{FREE_TEXT_KEY_PREFIX}{answer.pk}",
            kind=kind,
            title=answer.response.survey.title,
            question=answer.question.text,
            text=answer.text,
            written_at=answer.response.created_at,
        )
        for answer in answers
    ]


# --- The provider panel ------------------------------------------------------------------------


def consultations_with_provider_survey(*, municipality: Any, limit: int = 50) -> dict[str, Any]:
    """For the provider's page of a municipality: its consultations whose order includes the
    add-on "survey prepared by the operator", read inside its schema (read-only), newest
    first, each with whether its survey exists and may still be built."""
    rows = []
    with schema_read_only(municipality.schema_name):
        for consultation in Consultation.objects.order_by("-created_at")[:limit]:
            if not provider_survey_ordered(consultation):
                continue
            survey = survey_of(consultation, SurveyKind.SURVEY)
            rows.append(
                {
                    "id": consultation.pk,
                    "title": consultation.title,
                    "status_label": consultation.get_status_display(),
                    "survey_title": survey.title if survey is not None else "",
                    "buildable": consultation.status in BUILDABLE,
                }
            )
    return {"consultations": rows, "municipality_id": municipality.pk}


def draft_of(survey: Survey, owners: list[Any]) -> SurveyDraft | None:
    """The most recently saved draft of ``survey`` among ``owners``
    (surveys.services.drafts.DraftOwner: the account's, the invitation's or the browser's)."""
    if not owners:
        return None
    who = Q()
    for owner in owners:
        who |= owner.q()
    return SurveyDraft.objects.filter(who, survey=survey).order_by("-saved_at", "-pk").first()
