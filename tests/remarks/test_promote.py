"""A survey's open answer promoted into the register of remarks: through the registry (the
register never imports surveys), by staff only, audited, and never twice, even at once."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from consultations.models import AuditEvent
from remarks import selectors, services
from remarks.models import Remark
from surveys import services as survey_services
from tests.concurrency import at_once
from tests.remarks.helpers import coordinator_with, form_settings, staff_make
from tests.remarks.test_views import client_as
from tests.surveys.factories import question_add

ANSWER = "Proszę dodać ławki przy stawie & <b>oświetlenie</b>."


def _survey_with_answer(department, answer: str = ANSWER, *, status: str = "open"):
    """An open consultation with the remark form and a survey, one resident's answer to its
    open question and one to its single-choice question (not a free text)."""
    from django.contrib.auth.models import AnonymousUser

    from tests.consultations.factories import consultation_in_state

    consultation = consultation_in_state(
        "open", department=department, participation_forms=["remarks", "survey"]
    )
    admin = staff_make("admin")
    survey = survey_services.survey_create(
        acting_user=admin, consultation=consultation, kind="survey"
    )
    open_question = question_add(admin, survey, "long_text", "Co zmienić w parku?")
    choice = question_add(admin, survey, "single", "Czy park jest czysty?", choices=["Tak", "Nie"])
    survey_services.survey_response_submit(
        acting_user=AnonymousUser(),
        survey_id=survey.pk,
        idempotency_key=uuid.uuid4(),
        answers={open_question.key: answer, choice.key: choice.choices.get(text="Tak").key},
    )
    if status != "open":
        type(consultation).objects.filter(pk=consultation.pk).update(status=status)
        consultation.refresh_from_db()
    return consultation, survey


@pytest.mark.django_db
def test_the_register_lists_only_the_open_answers_through_the_registry(tenant_a):
    with schema_context(tenant_a.schema_name):
        _coordinator, department = coordinator_with()
        consultation, survey = _survey_with_answer(department)
        rows = selectors.promotable_texts(consultation)
    assert [(text.text, text.kind, text.title, text.question) for text, _r in rows] == [
        (ANSWER, "survey", survey.title, "Co zmienić w parku?")
    ]
    assert rows[0][1] is None


@pytest.mark.django_db
def test_a_coordinator_moves_an_answer_into_the_register_once(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation, _survey = _survey_with_answer(department)
        [(text, _none)] = selectors.promotable_texts(consultation)
    client = client_as(tenant_a, coordinator)
    url = f"/panel/konsultacje/{consultation.pk}/uwagi/z-ankiet/"
    page = client.get(url).content.decode()
    assert "Przenieś do rejestru" in page
    assert "&lt;b&gt;oświetlenie&lt;/b&gt;" in page

    response = client.post(url, {"key": text.key}, follow=True)

    with schema_context(tenant_a.schema_name):
        remark = Remark.objects.get(consultation=consultation)
        assert remark.channel == "survey"
        assert remark.state == "registered" and remark.reference.startswith("UW/")
        assert remark.justification == ANSWER
        assert remark.author_kind == "anonymous" and remark.author_name == ""
        assert remark.entered_by == coordinator
        assert remark.source_key == text.key
        assert "Co zmienić w parku?" in remark.source_label
        event = AuditEvent.objects.get(consultation=consultation, action="remark_promote")
        assert event.actor_email == coordinator.email
        assert event.details == {"reference": remark.reference, "source": text.key}
    assert f"pod numerem {remark.reference}" in response.content.decode()

    # The second time: the page says where it already is, and nothing more is stored.
    again = client.post(url, {"key": text.key}, follow=True).content.decode()
    assert f"Ta odpowiedź jest już w rejestrze jako {remark.reference}." in again
    with schema_context(tenant_a.schema_name):
        assert Remark.objects.filter(consultation=consultation).count() == 1
        register = client.get(f"/panel/konsultacje/{consultation.pk}/uwagi/").content.decode()
    assert "Z odpowiedzi w ankiecie" in register


@pytest.mark.django_db
def test_the_database_refuses_a_second_remark_from_the_same_answer(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation, _survey = _survey_with_answer(department)
        [(text, _none)] = selectors.promotable_texts(consultation)
        first = services.remark_promote(
            acting_user=coordinator, consultation_id=consultation.pk, text=text
        )
        duplicate = Remark.objects.get(pk=first.pk)
        duplicate.pk = None
        duplicate.reference = "UW/1999/0001"
        duplicate.idempotency_key = uuid.uuid4()
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()


def test_two_colleagues_promoting_the_same_answer_at_once_store_one_remark(committed_db, tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        colleague = staff_make("admin")
        consultation, _survey = _survey_with_answer(department)
        [(text, _none)] = selectors.promotable_texts(consultation)

    def promote(user):
        def call():
            with schema_context(tenant_a.schema_name):
                return services.remark_promote(
                    acting_user=user, consultation_id=consultation.pk, text=text
                )

        return call

    results = at_once(*(promote(user) for user in [coordinator, colleague] * 5))
    stored = [r for r in results if isinstance(r, Remark)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(stored) == 1 and len(refused) == 9, results
    with schema_context(tenant_a.schema_name):
        assert Remark.objects.filter(source_key=text.key).count() == 1
        assert (
            AuditEvent.objects.filter(consultation=consultation, action="remark_promote").count()
            == 1
        )


@pytest.mark.django_db
def test_a_key_not_of_this_consultation_is_404_and_stores_nothing(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation, _survey = _survey_with_answer(department)
        other, _other_survey = _survey_with_answer(department, "Inna odpowiedź")
        [(other_text, _none)] = selectors.promotable_texts(other)
    client = client_as(tenant_a, coordinator)
    url = f"/panel/konsultacje/{consultation.pk}/uwagi/z-ankiet/"
    for key in [other_text.key, "survey:answer:abc", "x" * 100_000, "<script>"]:
        assert client.post(url, {"key": key}).status_code == 404
    with schema_context(tenant_a.schema_name):
        assert not Remark.objects.filter(consultation__in=[consultation, other]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        # Who may open the page, in which state (an independent table).
        ("coordinator", "open", 200),
        ("coordinator", "closed", 200),
        ("coordinator", "report_published", 404),
        ("other_coordinator", "open", 404),
        ("moderator", "open", 404),
        ("resident", "open", 404),
    ],
)
def test_who_may_move_answers_and_when(tenant_a, role, status, expected):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation, _survey = _survey_with_answer(department, status=status)
        user = {
            "coordinator": coordinator,
            "other_coordinator": staff_make("coordinator"),
            "moderator": staff_make("moderator"),
            "resident": staff_make(""),
        }[role]
    response = client_as(tenant_a, user).get(
        f"/panel/konsultacje/{consultation.pk}/uwagi/z-ankiet/"
    )
    assert response.status_code == expected


@pytest.mark.django_db
def test_the_rules_of_the_remark_form_apply_to_a_promoted_answer(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator, department = coordinator_with()
        consultation, _survey = _survey_with_answer(department)
        form_settings(consultation, name_required=True, source="§ 4 uchwały")
        [(text, _none)] = selectors.promotable_texts(consultation)
        remark = services.remark_promote(
            acting_user=coordinator, consultation_id=consultation.pk, text=text
        )
        issues = {issue.code: issue.rule for issue in remark.formal_issues.all()}
    assert remark.formally_defective
    assert issues == {"anonymous": "Uwagi anonimowe nie są przyjmowane (§ 4 uchwały)"}


@pytest.mark.django_db
def test_b_answers_are_not_found_on_a(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        _coordinator_b, department_b = coordinator_with()
        consultation_b, _survey_b = _survey_with_answer(department_b)
        [(text_b, _none)] = selectors.promotable_texts(consultation_b)
    with schema_context(tenant_a.schema_name):
        _coordinator, department = coordinator_with()
        consultation_a, _survey_a = _survey_with_answer(department, "Odpowiedź z A")
        found = selectors.promotable_text_get(consultation_a, text_b.key)
    # The ids of two schemas may coincide: a key then names A's own answer, never B's.
    assert found is None or found.text == "Odpowiedź z A"
