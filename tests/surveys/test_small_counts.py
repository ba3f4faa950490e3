"""Residents never see a count from 1 to 4 (k-anonymity, k = 5); staff see exact counts."""

from __future__ import annotations

import uuid

import pytest

from surveys import selectors, services
from tests.surveys.factories import choice_key, question_add, survey_make

pytestmark = pytest.mark.django_db


def _answer(survey, answers):
    services.survey_response_submit(
        acting_user=None, survey_id=survey.pk, idempotency_key=uuid.uuid4(), answers=answers
    )


def test_public_results_withhold_counts_below_five_and_staff_see_them(admin):
    # given 6 responses: 5 chose "Tak" and 1 "Nie"; a scale answered by 2; a matrix
    _consultation, survey = survey_make(admin)
    single = question_add(admin, survey, "single", "Park?", choices=["Tak", "Nie", "Nie wiem"])
    scale = question_add(admin, survey, "scale", "Ocena", max_value=5)
    number = question_add(admin, survey, "number", "Wiek drzew")
    ranking = question_add(admin, survey, "ranking", "Kolejność", choices=["A", "B"])
    matrix = question_add(admin, survey, "matrix", "Oceny", choices=["Ławki"], max_value=3)
    for i in range(6):
        choice = "Tak" if i < 5 else "Nie"
        answers = {
            single.key: choice_key(single, choice),
            matrix.key: {choice_key(matrix, "Ławki"): "1" if i < 5 else "3"},
        }
        if i < 2:
            answers[scale.key] = "4"
            answers[number.key] = str(40 + i)
            answers[ranking.key] = {choice_key(ranking, "A"): "1", choice_key(ranking, "B"): "2"}
        _answer(survey, answers)

    # when
    staff = selectors.survey_results(survey)
    public = selectors.results_for_residents(staff)

    # then staff see every count
    by_text = {r.question.text: r for r in staff.questions}
    assert [(r.label, r.count) for r in by_text["Park?"].rows] == [
        ("Tak", 5),
        ("Nie", 1),
        ("Nie wiem", 0),
    ]
    assert by_text["Ocena"].mean == 4.0 and by_text["Wiek drzew"].minimum == 40
    # and residents see 5 and 0, never 1
    shown = {r.question.text: r for r in public.questions}
    assert [(r.label, r.count, r.percent) for r in shown["Park?"].rows] == [
        ("Tak", 5, 83.3),
        ("Nie", None, None),
        ("Nie wiem", 0, 0.0),
    ]
    assert not shown["Park?"].small
    # a question 2 people answered: no mean, lowest, highest, scores or small rows
    assert shown["Ocena"].small and shown["Ocena"].mean is None
    assert [r.count for r in shown["Ocena"].rows] == [0, 0, 0, None, 0]
    assert shown["Wiek drzew"].minimum is None and shown["Wiek drzew"].maximum is None
    assert [r.count for r in shown["Kolejność"].rows] == [None, None]
    assert shown["Oceny"].matrix == [("Ławki", [5, 0, None], 1.33)]
    # the staff's figures were not changed by masking a copy
    assert [r.count for r in by_text["Park?"].rows] == [5, 1, 0]
