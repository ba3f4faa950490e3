"""The remark form's settings and survey answers moved into the register, in Chromium, in
Polish, with WCAG 2.1 AA checked on every page at 1280 and 390 px: a coordinator sets what the
form asks and a resident then sees it; a coordinator moves a survey's open answer into the
register."""

from __future__ import annotations

import re
import uuid

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import ParticipationForm
from remarks.models import Remark
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import consultation_in_state, department_make
from tests.e2e.test_remarks_journeys import check_narrow, field, sign_in

pytestmark = pytest.mark.browser

SCREENS = "var/screens"


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(90_000)


def _shot(page, name: str) -> None:
    import os

    os.makedirs(SCREENS, exist_ok=True)
    page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True)


def test_a_coordinator_sets_the_remark_form_and_a_resident_sees_it(
    page, live_stack, committed_db, tenant_a
):
    email = unique("koordynatorka") + "@a.test"
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(coordinator,))
        consultation = consultation_in_state(
            "open", department=department, participation_forms=["remarks"]
        )

    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/"))
    page.get_by_role("link", name="Ustawienia formularza „Formularz uwag”").click()
    page.get_by_role("heading", name="Ustawienia formularza „Formularz uwag”").wait_for()
    assert_accessible(page, "remark-settings")
    check_narrow(page, "remark-settings")
    _shot(page, "remark-settings-1280")

    page.get_by_label("Przyjmowane są uwagi anonimowe").check()
    page.get_by_label("Wymagany adres autora").uncheck()
    field(page, "Części dokumentu do wyboru").fill("§ 1\n§ 2 ust. 1\nZałącznik nr 1")
    field(page, "Podstawa tych zasad").fill("§ 4 ust. 2 uchwały nr XII/85/2026")
    page.get_by_role("button", name="Zapisz ustawienia").click()
    page.get_by_text("Ustawienia formularza zostały zapisane.").wait_for()
    with schema_context(tenant_a.schema_name):
        settings = ParticipationForm.objects.get(consultation=consultation).settings
    assert settings["anonymous_accepted"] is True
    assert settings["sections"] == ["§ 1", "§ 2 ust. 1", "Załącznik nr 1"]

    page.context.clear_cookies()
    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/uwagi/"))
    page.get_by_role("heading", name="Formularz uwag").wait_for()
    part = field(page, "Część dokumentu, której dotyczy uwaga")
    part.select_option("§ 2 ust. 1")
    page.get_by_label("Bez podawania imienia i nazwiska").check()
    assert_accessible(page, "remarks-form-with-settings")
    check_narrow(page, "remarks-form-with-settings")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "remarks-form-with-settings-390")


def test_a_coordinator_moves_a_survey_answer_into_the_register(
    page, live_stack, committed_db, tenant_a
):
    from django.contrib.auth.models import AnonymousUser

    from surveys import services as survey_services
    from tests.surveys.factories import question_add

    email = unique("koordynator") + "@a.test"
    answer = "Przy stawie brakuje ławek i oświetlenia."
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(coordinator,))
        consultation = consultation_in_state(
            "open", department=department, participation_forms=["remarks", "survey"]
        )
        survey = survey_services.survey_create(
            acting_user=coordinator, consultation=consultation, kind="survey"
        )
        question = question_add(coordinator, survey, "long_text", "Co zmienić w parku?")
        survey_services.survey_response_submit(
            acting_user=AnonymousUser(),
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers={question.key: answer},
        )

    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/"))
    page.get_by_role("link", name="Odpowiedzi z ankiet").click()
    page.get_by_role("heading", name="Odpowiedzi z ankiet").wait_for()
    page.get_by_text(answer).wait_for()
    assert_accessible(page, "survey-answers")
    check_narrow(page, "survey-answers")
    _shot(page, "survey-answers-1280")

    page.get_by_role("button", name=re.compile("Przenieś do rejestru")).click()
    page.get_by_text(re.compile(r"jako uwaga pod numerem UW/\d{4}/\d{4,}")).wait_for()
    assert_accessible(page, "survey-answers-moved")
    check_narrow(page, "survey-answers-moved")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "survey-answers-moved-390")
    with schema_context(tenant_a.schema_name):
        remark = Remark.objects.get(consultation=consultation)
    assert remark.channel == "survey" and remark.justification == answer
    page.get_by_role("link", name=remark.reference).wait_for()
