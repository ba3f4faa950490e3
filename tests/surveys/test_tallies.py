"""Results from the running tallies (surveys.services.tallies) equal results counted from
the answers themselves, as survey_results did before the tallies (kept below, unchanged
but for its name, as the reference): for every question type that counts, over two
versions, paper responses, a verified resident's edits (counts move both ways), a search
of the free texts, and the residents' view with small counts withheld."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min

from surveys import selectors, services
from surveys.models import Answer, QuestionType, Response, ResultTally, Survey
from surveys.selectors import (
    TEXT_ANSWERS_SHOWN,
    QuestionResult,
    Row,
    SurveyResults,
    _number,
    _percent,
    survey_current_version,
    version_structure,
)
from surveys.services.tallies import tallies_rebuild
from tests.consultations.factories import staff_make
from tests.surveys.factories import question_add, survey_make

pytestmark = pytest.mark.django_db


def survey_results_old(
    survey: Survey, *, version_number: int | None = None, text_search: str = ""
) -> SurveyResults:
    """Counts and percentages per question of one version (the current one by default);
    percentages are of the responses that answered that question. A constant number of
    queries whatever the number of responses: aggregation happens in PostgreSQL."""
    versions_qs = survey.versions.annotate(n=Count("responses")).order_by("number")
    versions = [(v.number, v.n) for v in versions_qs]
    version = (
        survey.versions.filter(number=version_number).first()
        if version_number is not None
        else None
    ) or survey_current_version(survey)
    structure = version_structure(version)
    responses = Response.objects.filter(version=version).count()
    question_ids = [q.pk for q in structure.questions]
    answers = Answer.objects.filter(question_id__in=question_ids)
    # One pass over the version's answers, grouped by (question, choice, number): choice
    # counts, scale and number values, ranking places and matrix cells, and from them the
    # mean, lowest and highest number. Each further query reads only the questions it
    # concerns through the (question, choice) index. At 100,000 responses of 20 questions
    # six full scans took 8 s; see bench/surveys.py.
    rows_of: dict[int, int] = defaultdict(int)
    by_choice: dict[int, dict[int, int]] = defaultdict(dict)
    by_number: dict[int, dict[Any, int]] = defaultdict(dict)
    cells: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    sums: dict[int, list[Any]] = {}
    for row in (
        answers.values("question_id", "choice_id", "number").annotate(n=Count("id")).order_by()
    ):
        qid, cid, value, n = row["question_id"], row["choice_id"], row["number"], row["n"]
        rows_of[qid] += n
        if cid is not None and value is None:
            by_choice[qid][cid] = n
        elif cid is None and value is not None:
            by_number[qid][value] = n
            total_n, total, low, high = sums.get(qid, [0, Decimal(0), value, value])
            sums[qid] = [total_n + n, total + value * n, min(low, value), max(high, value)]
        elif cid is not None and value is not None:
            cells[qid][(cid, int(value))] = n
    stats: dict[int, dict[str, Any]] = {
        qid: {"mean": total / count, "low": low, "high": high}
        for qid, (count, total, low, high) in sums.items()
    }
    types = {q.pk: q.type for q in structure.questions}
    several = [
        qid
        for qid, qtype in types.items()
        if qtype in (QuestionType.MULTIPLE, QuestionType.RANKING, QuestionType.MATRIX)
    ]
    # A question answered with one row per response counts its rows; the others count
    # distinct responses.
    answered = {qid: n for qid, n in rows_of.items() if qid not in several}
    if several:
        answered.update(
            answers.filter(question_id__in=several)
            .values("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .values_list("question_id", "n")
        )
    dates = [qid for qid, qtype in types.items() if qtype == QuestionType.DATE]
    for row in (
        answers.filter(question_id__in=dates)
        .values("question_id")
        .annotate(first=Min("date"), last=Max("date"))
        .order_by()
        if dates
        else []
    ):
        stats.setdefault(row["question_id"], {}).update(first=row["first"], last=row["last"])
    text_ids = [
        qid
        for qid, qtype in types.items()
        if qtype in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
    ]
    text_qs = answers.filter(question_id__in=text_ids).exclude(text="")
    if text_search:
        text_qs = text_qs.filter(text__icontains=text_search)
    texts: dict[int, list[str]] = defaultdict(list)
    for qid, text in (
        text_qs.order_by("question_id", "-id").values_list("question_id", "text")
        if text_ids
        else []
    ):
        if len(texts[qid]) < TEXT_ANSWERS_SHOWN:
            texts[qid].append(text)
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
        else:
            result.texts = texts.get(question.pk, [])
        results.append(result)
    return SurveyResults(survey, version, responses, versions, results, text_search)


def _answers(questions: dict[str, Any], rng: random.Random, i: int) -> dict[str, Any]:
    single, multiple, scale, number, ranking, matrix, day, text = (
        questions[k]
        for k in ("single", "multiple", "scale", "number", "ranking", "matrix", "date", "text")
    )
    answers: dict[str, Any] = {
        single.key: rng.choice([c.key for c in single.choices.all()]),
        matrix.key: {c.key: str(rng.randint(1, 4)) for c in matrix.choices.all()},
    }
    if single.choices.get(key=answers[single.key]).is_other:
        answers[single.key + ".other"] = f"Inna odpowiedź {i}"
    if rng.random() < 0.8:
        keys = [c.key for c in multiple.choices.all()]
        answers[multiple.key] = rng.sample(keys, rng.randint(1, len(keys)))
    if rng.random() < 0.7:
        answers[scale.key] = str(rng.randint(1, 5))
    if rng.random() < 0.6:
        answers[number.key] = rng.choice(["0", "12", "3,5", "999", str(i)])
    if rng.random() < 0.5:
        places = list(range(1, 4))
        rng.shuffle(places)
        answers[ranking.key] = {
            c.key: str(p) for c, p in zip(ranking.choices.all(), places, strict=True)
        }
    if rng.random() < 0.5:
        answers[day.key] = f"2026-05-{rng.randint(1, 28):02d}"
    if rng.random() < 0.7:
        answers[text.key] = rng.choice(["Więcej zieleni", "Ławki przy stawie", "Nic"]) + f" {i}"
    return answers


def _submit(survey: Any, answers: dict[str, Any], user: Any = None) -> None:
    services.survey_response_submit(
        acting_user=user, survey_id=survey.pk, idempotency_key=uuid.uuid4(), answers=answers
    )


def _questions(admin: Any, survey: Any) -> dict[str, Any]:
    return {
        "single": question_add(
            admin, survey, "single", "Park?", choices=["Tak", "Nie"], other_option=True
        ),
        "multiple": question_add(
            admin, survey, "multiple", "Co?", choices=["Ławki", "Zieleń", "Oświetlenie"]
        ),
        "scale": question_add(admin, survey, "scale", "Ocena", max_value=5),
        "number": question_add(admin, survey, "number", "Ile?", min_value=0, max_value=1000),
        "ranking": question_add(admin, survey, "ranking", "Kolejność", choices=["A", "B", "C"]),
        "matrix": question_add(
            admin, survey, "matrix", "Oceny", choices=["Ławki", "Kosze"], max_value=4
        ),
        "date": question_add(admin, survey, "date", "Kiedy?"),
        "text": question_add(admin, survey, "short_text", "Uwagi"),
    }


def _same(survey: Any, version_number: int | None = None, text_search: str = "") -> None:
    new = selectors.survey_results(survey, version_number=version_number, text_search=text_search)
    old = survey_results_old(survey, version_number=version_number, text_search=text_search)
    assert new.responses == old.responses and new.versions == old.versions
    assert new.version.pk == old.version.pk
    assert [q.as_data() for q in new.questions] == [q.as_data() for q in old.questions]
    assert [q.texts for q in new.questions] == [q.texts for q in old.questions]
    masked_new = selectors.results_for_residents(new)
    masked_old = selectors.results_for_residents(old)
    assert [q.as_data() for q in masked_new.questions] == [
        q.as_data() for q in masked_old.questions
    ]


def test_results_from_tallies_equal_results_counted_from_the_answers(admin):
    # given a survey of every counted type answered 60 times, 40 of them on version 1
    _c, survey = survey_make(admin, audience="verified")
    questions = _questions(admin, survey)
    rng = random.Random(9)
    residents = [staff_make("") for _ in range(8)]
    for i in range(40):
        user = residents[i] if i < len(residents) else None
        if user is None:
            services.survey_paper_response_enter(
                acting_user=admin,
                survey_id=survey.pk,
                idempotency_key=uuid.uuid4(),
                answers=_answers(questions, rng, i),
            )
        else:
            _submit(survey, _answers(questions, rng, i), user)
    # a question added after responses makes version 2; some residents change their answers
    # (their responses move to version 2), some new ones answer version 2
    question_add(admin, survey, "scale", "Nowe pytanie", max_value=3)
    questions = {k: _current(survey, q) for k, q in questions.items()}
    for i in range(40, 60):
        user = residents[i % 4] if i < 44 else None
        if user is None:
            services.survey_paper_response_enter(
                acting_user=admin,
                survey_id=survey.pk,
                idempotency_key=uuid.uuid4(),
                answers=_answers(questions, rng, i),
            )
        else:
            _submit(survey, _answers(questions, rng, i), user)
    # a resident edits again within version 2
    _submit(survey, _answers(questions, rng, 99), residents[0])
    assert Response.objects.filter(survey=survey).count() == 56

    # then every figure equals the one counted from the answers, for both versions, with a
    # search, and as residents see them (small counts withheld)
    _same(survey)
    _same(survey, version_number=1)
    _same(survey, text_search="zieleni")
    assert selectors.response_count(survey) == 56
    # and counting the tallies again from the answers changes nothing
    before = _tally_sums(survey)
    with transaction.atomic():
        tallies_rebuild(survey=survey)
    assert _tally_sums(survey) == before
    _same(survey)


def _current(survey: Any, question: Any) -> Any:
    from surveys.models import Question

    version = survey_current_version(survey)
    return Question.objects.get(section__version=version, key=question.key)


def _tally_sums(survey: Any) -> dict[tuple[Any, ...], int]:
    sums: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in ResultTally.objects.filter(version__survey=survey):
        sums[(row.version_id, row.question_id, row.choice_id, row.number, row.date)] += row.n
    return {k: n for k, n in sums.items() if n}
