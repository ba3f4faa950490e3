"""Builder and submit services on real PostgreSQL: validation of each question type,
hidden questions, versioning, eligibility, and a submit that is stored once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from surveys import selectors, services
from surveys.models import Answer, Response, SurveyVersion
from tests.consultations.factories import staff_make
from tests.surveys.factories import choice_key, question_add, survey_make

pytestmark = pytest.mark.django_db


def submit(survey, answers, **extra):
    return services.survey_response_submit(
        acting_user=extra.pop("user", None) or _anonymous(),
        survey_id=survey.pk,
        idempotency_key=extra.pop("key", None) or uuid.uuid4(),
        answers=answers,
        **extra,
    )


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def errors_of(call):
    with pytest.raises(ValidationError) as info:
        call()
    exc = info.value
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- Question types: (type, builder fields, answer, accepted?, stored) ----------------------
# Written by hand from the rules, not from the code.
TYPE_TABLE = [
    ("short_text", {}, "Więcej ławek", True, [("text", "Więcej ławek")]),
    ("short_text", {}, "x" * 501, False, []),
    ("long_text", {}, "y" * 10000, True, [("text", "y" * 10000)]),
    ("long_text", {}, "y" * 100000, False, []),
    ("long_text", {}, "zła\x00treść", False, []),
    ("number", {"min_value": 0, "max_value": 120}, "42", True, [("number", Decimal(42))]),
    ("number", {"min_value": 0, "max_value": 120}, "3,5", True, [("number", Decimal("3.5"))]),
    ("number", {"min_value": 0, "max_value": 120}, "121", False, []),
    ("number", {"min_value": 0, "max_value": 120}, "-1", False, []),
    ("number", {}, "dwanaście", False, []),
    ("number", {}, "NaN", False, []),
    ("number", {}, "1e400", False, []),
    ("scale", {"max_value": 5}, "5", True, [("number", Decimal(5))]),
    ("scale", {"max_value": 5}, "6", False, []),
    ("scale", {"max_value": 5}, "0", False, []),
    ("date", {}, "2026-05-31", True, [("date", "2026-05-31")]),
    ("date", {}, "31.05.2026", False, []),
    ("date", {}, "2026-02-30", False, []),
]


@pytest.mark.parametrize(("qtype", "fields", "value", "ok", "stored"), TYPE_TABLE)
def test_each_question_type_checks_its_answer(admin, qtype, fields, value, ok, stored):
    # given
    _c, survey = survey_make(admin)
    question = question_add(admin, survey, qtype, "Pytanie", **fields)
    # when / then
    if ok:
        response = submit(survey, {question.key: value}).response
        rows = list(Answer.objects.filter(response=response))
        got = [
            (name, str(getattr(r, name)) if name == "date" else getattr(r, name))
            for r in rows
            for name, _v in stored
        ]
        assert got == stored
    else:
        errors = errors_of(lambda: submit(survey, {question.key: value}))
        assert question.key in errors and errors[question.key][0]
        assert Response.objects.filter(survey=survey).count() == 0


def test_single_choice_accepts_one_known_option_and_other_needs_a_text(admin):
    _c, survey = survey_make(admin)
    q = question_add(
        admin,
        survey,
        "single",
        "Jak Pan/Pani dojeżdża?",
        choices=["Autobus", "Rower"],
        other_option=True,
    )
    other = q.choices.get(is_other=True).key
    assert q.key in errors_of(lambda: submit(survey, {q.key: ["x", "y"]}))
    assert q.key in errors_of(lambda: submit(survey, {q.key: "nieznany"}))
    assert q.key in errors_of(lambda: submit(survey, {q.key: other}))
    response = submit(survey, {q.key: other, q.key + ".other": "Hulajnoga"}).response
    row = Answer.objects.get(response=response)
    assert (row.choice.is_other, row.text) == (True, "Hulajnoga")


def test_a_choice_of_another_survey_is_refused(admin):
    _c, survey = survey_make(admin)
    q = question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Nie"])
    _c2, other_survey = survey_make(admin)
    q2 = question_add(admin, other_survey, "single", "Pytanie", choices=["Tak", "Nie"])
    foreign = choice_key(q2, "Tak")
    assert q.key in errors_of(lambda: submit(survey, {q.key: foreign}))


@pytest.mark.parametrize(
    ("chosen", "ok"),
    [(["A"], False), (["A", "B"], True), (["A", "B", "C"], True), (["A", "B", "C", "D"], False)],
)
def test_multiple_choice_keeps_within_min_and_max(admin, chosen, ok):
    _c, survey = survey_make(admin)
    q = question_add(
        admin,
        survey,
        "multiple",
        "Co poprawić?",
        choices=["A", "B", "C", "D"],
        min_value=2,
        max_value=3,
    )
    keys = [choice_key(q, t) for t in chosen]
    if ok:
        assert Answer.objects.filter(
            response=submit(survey, {q.key: keys}).response
        ).count() == len(keys)
    else:
        assert q.key in errors_of(lambda: submit(survey, {q.key: keys}))


def test_ranking_needs_each_place_once(admin):
    _c, survey = survey_make(admin)
    q = question_add(admin, survey, "ranking", "Kolejność", choices=["Park", "Droga", "Szkoła"])
    a, b, c = (choice_key(q, t) for t in ("Park", "Droga", "Szkoła"))
    assert q.key in errors_of(lambda: submit(survey, {q.key: {a: "1", b: "1", c: "2"}}))
    assert q.key in errors_of(lambda: submit(survey, {q.key: {a: "1", b: "2"}}))
    assert q.key in errors_of(lambda: submit(survey, {q.key: {a: "1", b: "2", c: "4"}}))
    response = submit(survey, {q.key: {a: "2", b: "3", c: "1"}}).response
    places = {r.choice.text: int(r.number) for r in Answer.objects.filter(response=response)}
    assert places == {"Park": 2, "Droga": 3, "Szkoła": 1}


def test_a_required_matrix_needs_every_row(admin):
    _c, survey = survey_make(admin)
    q = question_add(
        admin,
        survey,
        "matrix",
        "Oceny",
        choices=["Czystość", "Oświetlenie"],
        max_value=4,
        required=True,
    )
    r1, r2 = (choice_key(q, t) for t in ("Czystość", "Oświetlenie"))
    assert q.key in errors_of(lambda: submit(survey, {q.key: {r1: "3"}}))
    assert q.key in errors_of(lambda: submit(survey, {q.key: {r1: "3", r2: "5"}}))
    assert (
        Answer.objects.filter(response=submit(survey, {q.key: {r1: "3", r2: "4"}}).response).count()
        == 2
    )


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped(admin):
    # given: q2 (required) shows only when q1 is "Tak"
    _c, survey = survey_make(admin)
    q1 = question_add(
        admin,
        survey,
        "single",
        "Czy korzysta Pan/Pani z parku?",
        choices=["Tak", "Nie"],
        required=True,
    )
    q2 = question_add(
        admin,
        survey,
        "short_text",
        "Co w parku zmienić?",
        required=True,
        condition={"question_key": q1.key, "op": "equals", "value": "Tak"},
    )
    no, yes = choice_key(q1, "Nie"), choice_key(q1, "Tak")
    # when: "Nie" with a smuggled answer to the hidden q2
    response = submit(survey, {q1.key: no, q2.key: "ukryta odpowiedź"}).response
    # then
    assert list(Answer.objects.filter(response=response).values_list("question_id", flat=True)) == [
        q1.pk
    ]
    # and when shown it is required
    assert q2.key in errors_of(lambda: submit(survey, {q1.key: yes}))


def test_a_condition_may_only_look_back_and_must_name_an_existing_answer(admin):
    _c, survey = survey_make(admin)
    q1 = question_add(admin, survey, "single", "Pytanie 1", choices=["Tak", "Nie"])
    with pytest.raises(ValidationError) as info:
        question_add(
            admin,
            survey,
            "short_text",
            "Pytanie 2",
            condition={"question_key": q1.key, "op": "equals", "value": "Może"},
        )
    assert "condition_value" in info.value.message_dict
    q2 = question_add(admin, survey, "short_text", "Pytanie 2")
    # q1 cannot depend on q2, which comes after it
    with pytest.raises(ValidationError) as info:
        services.question_update(
            acting_user=admin,
            survey_id=survey.pk,
            question_key=q1.key,
            data=services.QuestionInput(
                type="single",
                text="Pytanie 1",
                choices=["Tak", "Nie"],
                condition=services.ConditionInput(q2.key, "answered"),
            ),
        )
    assert "condition_question" in info.value.message_dict


def test_a_survey_with_a_response_is_frozen_and_a_change_makes_a_new_version(admin):
    # given
    _c, survey = survey_make(admin)
    q = question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Nie"])
    question_add(admin, survey, "short_text", "Uwagi")
    first = submit(survey, {q.key: choice_key(q, "Tak")}).response
    # when
    question_add(admin, survey, "number", "Wiek", min_value=0, max_value=120)
    # then: version 1 is as it was answered, version 2 has the new question
    versions = list(SurveyVersion.objects.filter(survey=survey).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [q.text for q in selectors.version_structure(versions[0]).questions] == [
        "Pytanie",
        "Uwagi",
    ]
    assert [q.text for q in selectors.version_structure(versions[1]).questions] == [
        "Pytanie",
        "Uwagi",
        "Wiek",
    ]
    # keys survive the copy, so the next response answers version 2 with the same keys
    second = submit(
        survey, {q.key: choice_key(selectors.version_structure(versions[1]).questions[0], "Nie")}
    ).response
    assert (first.version.number, second.version.number) == (1, 2)
    # a second change before any response to version 2 stays in version 2
    question_add(admin, survey, "date", "Data")
    assert SurveyVersion.objects.filter(survey=survey).count() == 3  # version 2 had a response
    results = selectors.survey_results(survey, version_number=1)
    assert (results.version.number, results.responses) == (1, 1)


def test_a_closed_survey_refuses_a_response(admin):
    consultation, survey = survey_make(admin)
    q = question_add(admin, survey, "short_text", "Pytanie")
    consultation.status = "closed"
    consultation.save()
    with pytest.raises(services.SurveyClosed):
        submit(survey, {q.key: "spóźniona"})
    assert Response.objects.filter(survey=survey).count() == 0


def test_a_response_after_the_form_window_is_refused(admin):
    consultation, survey = survey_make(admin)
    q = question_add(admin, survey, "short_text", "Pytanie")
    later = consultation.ends_at + timedelta(seconds=1)
    with pytest.raises(services.SurveyClosed):
        submit(survey, {q.key: "x"}, now=later)


def test_verified_residents_answer_once_and_may_change_their_answers(admin):
    _c, survey = survey_make(admin, audience="verified")
    q = question_add(admin, survey, "short_text", "Pytanie")
    unverified = staff_make("", email_verified=False)
    resident = staff_make("")
    assert errors_of(lambda: submit(survey, {q.key: "a"}))["__all__"]
    assert errors_of(lambda: submit(survey, {q.key: "a"}, user=unverified))["__all__"]
    first = submit(survey, {q.key: "pierwsza"}, user=resident)
    second = submit(survey, {q.key: "druga"}, user=resident)
    assert first.created and not second.created
    assert second.response.pk == first.response.pk
    assert list(Answer.objects.filter(response__survey=survey).values_list("text", flat=True)) == [
        "druga"
    ]


def test_a_verified_residents_page_sent_twice_keeps_the_stored_answers(admin):
    """A double click sends the same key twice: the stored response comes back untouched,
    not rewritten with the second copy (a later page with its own key still edits)."""
    _c, survey = survey_make(admin, audience="verified")
    q = question_add(admin, survey, "short_text", "Pytanie")
    resident = staff_make("")
    key = uuid.uuid4()
    first = submit(survey, {q.key: "pierwsza"}, user=resident, key=key)
    again = submit(survey, {q.key: "inna kopia"}, user=resident, key=key)
    assert not again.created and again.response.pk == first.response.pk
    stored = Response.objects.get(pk=first.response.pk)
    assert stored.updated_at == first.response.updated_at
    assert list(Answer.objects.filter(response=stored).values_list("text", flat=True)) == [
        "pierwsza"
    ]


def test_the_survey_and_form_handed_in_must_be_those_of_the_submit(admin):
    from consultations.selectors import participation_form_get

    _c, survey = survey_make(admin)
    _c2, other = survey_make(admin)
    q = question_add(admin, survey, "short_text", "Pytanie")

    def handed(**objects):
        return services.survey_response_submit(
            acting_user=_anonymous(),
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers={q.key: "a"},
            **objects,
        )

    with pytest.raises(ValueError):
        handed(survey=other)
    with pytest.raises(ValueError):
        handed(survey=survey, form=participation_form_get(other.consultation, other.kind))
    assert not Response.objects.filter(survey=survey).exists()


def test_one_response_per_browser_when_the_survey_asks_for_it(admin):
    _c, survey = survey_make(admin, one_per_browser=True)
    q = question_add(admin, survey, "short_text", "Pytanie")
    submit(survey, {q.key: "a"}, browser_token="przegladarka-1")
    assert errors_of(lambda: submit(survey, {q.key: "b"}, browser_token="przegladarka-1"))[
        "__all__"
    ]
    submit(survey, {q.key: "c"}, browser_token="przegladarka-2")
    assert Response.objects.filter(survey=survey).count() == 2


def test_the_honeypot_and_the_rate_limit_store_nothing(admin):
    from surveys.services.responses import RATE_LIMIT_RESPONSES

    _c, survey = survey_make(admin)
    q = question_add(admin, survey, "short_text", "Pytanie")
    assert errors_of(lambda: submit(survey, {q.key: "spam"}, honeypot="http://spam.example"))
    ip = f"192.0.2.{uuid.uuid4().int % 250}"
    for _ in range(RATE_LIMIT_RESPONSES):
        submit(survey, {q.key: "ok"}, client_ip=ip)
    assert errors_of(lambda: submit(survey, {q.key: "o jedną za dużo"}, client_ip=ip))
    assert Response.objects.filter(survey=survey).count() == RATE_LIMIT_RESPONSES


def test_an_empty_response_is_refused(admin):
    _c, survey = survey_make(admin)
    question_add(admin, survey, "short_text", "Pytanie")
    assert errors_of(lambda: submit(survey, {}))["__all__"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE surveys_response; --",
        "\u202eodwrócone",
        "ąęśćżźłó" * 10,
        "{{ 7*7 }}",
    ],
)
def test_hostile_strings_are_stored_as_plain_text(admin, hostile):
    _c, survey = survey_make(admin)
    q = question_add(admin, survey, "long_text", hostile[:400])
    response = submit(survey, {q.key: hostile}).response
    assert Answer.objects.get(response=response).text == hostile.strip()


def test_builder_fields_refuse_nul_bytes_and_overlong_text(admin):
    _c, survey = survey_make(admin)
    for text in ("Pytanie\x00", "x" * 100000):
        with pytest.raises(ValidationError):
            question_add(admin, survey, "short_text", text)
    with pytest.raises(ValidationError):
        question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Tak"])
    assert selectors.version_structure(selectors.survey_current_version(survey)).questions == []


def test_a_poll_has_one_choice_question(admin):
    _c, poll = survey_make(admin, kind="poll")
    with pytest.raises(ValidationError):
        question_add(admin, poll, "short_text", "Co?")
    question_add(admin, poll, "single", "Który projekt?", choices=["A", "B"])
    with pytest.raises(ValidationError):
        question_add(admin, poll, "single", "Drugie?", choices=["A", "B"])
