"""Surveys in Chromium, in Polish, with WCAG 2.1 AA checked at 1280 and 390 px: a resident
answers a survey with a file question (a renamed program is refused with the answers kept,
then a PDF is taken) and the coordinator downloads the file; the provider's staff build the
survey of a municipality whose order includes "Przygotowanie ankiety przez operatora"."""

import re

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import ConsultationStatus
from surveys import services
from surveys.models import Answer, Question, Response, Survey
from surveys.services import QuestionInput
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import (
    consultation_in_state,
    department_make,
    exe_bytes,
    pdf_bytes,
)
from tests.e2e import test_onboarding
from tests.e2e.test_consultation_journeys import sign_in
from tests.e2e.test_onboarding import provider_sign_in

# One PDF for the whole module (Pillow stamps each with the time it was drawn).
PDF = pdf_bytes()

pytestmark = pytest.mark.browser

operator = test_onboarding.operator


def test_a_resident_attaches_a_file_a_renamed_program_is_refused_and_staff_download_the_pdf(
    page, browser, live_stack, committed_db, tenant_a
):
    # given an open consultation whose survey asks for a note and a PDF
    email = unique("koord") + "@a.test"
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Plików {tag}", coordinators=(coordinator,))
        consultation = consultation_in_state(
            ConsultationStatus.OPEN,
            department=department,
            title=f"Skwer przy rynku {tag}",
            participation_forms=["remarks", "survey"],
        )
        survey = services.survey_create(
            acting_user=coordinator, consultation=consultation, kind="survey"
        )
        section = survey.versions.get().sections.get().key
        note = services.question_add(
            acting_user=coordinator,
            survey_id=survey.pk,
            section_key=section,
            data=QuestionInput(type="short_text", text="Co zmienić na skwerze?", required=True),
        )
        services.question_add(
            acting_user=coordinator,
            survey_id=survey.pk,
            section_key=section,
            data=QuestionInput(
                type="file",
                text="Szkic Pana/Pani pomysłu",
                file_kinds=["pdf"],
                max_value=2,
                required=True,
            ),
        )

    # A resident attaches a program renamed to .pdf: refused, the note is kept.
    resident = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    rpage = resident.new_page()
    rpage.set_default_timeout(15000)
    rpage.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/ankieta/"))
    rpage.get_by_role("heading", name="Ankieta internetowa", level=1).wait_for()
    rpage.get_by_label(re.compile("Co zmienić na skwerze")).fill("Więcej zieleni")
    rpage.get_by_label(re.compile("Szkic Pana/Pani pomysłu")).set_input_files(
        {"name": "szkic.pdf", "mimeType": "application/pdf", "buffer": exe_bytes()}
    )
    assert_accessible(rpage, "survey-file-answer")
    rpage.get_by_role("button", name="Wyślij odpowiedź").click()
    rpage.get_by_text(re.compile("Ten plik nie jest żadnym z rodzajów")).wait_for()
    assert rpage.get_by_label(re.compile("Co zmienić na skwerze")).input_value() == "Więcej zieleni"
    rpage.get_by_text(re.compile("proszę dołączyć go ponownie")).wait_for()
    assert_accessible(rpage, "survey-file-refused")
    with schema_context(tenant_a.schema_name):
        assert not Response.objects.filter(survey=survey).exists()

    # then a real PDF is taken
    rpage.get_by_label(re.compile("Szkic Pana/Pani pomysłu")).set_input_files(
        {"name": "Mój szkic.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    rpage.get_by_role("button", name="Wyślij odpowiedź").click()
    rpage.get_by_role("heading", name="Dziękujemy za odpowiedź").wait_for()
    resident.close()
    with schema_context(tenant_a.schema_name):
        answer = Answer.objects.get(response__survey=survey, question__type="file")
        assert answer.text == "Mój szkic.pdf"
        assert Answer.objects.get(response__survey=survey, question=note).text == "Więcej zieleni"

    # The coordinator sees the file in the results and downloads it under a safe name.
    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(
        live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/ankieta/wyniki/")
    )
    page.get_by_role("heading", name=re.compile("^Wyniki: ")).wait_for()
    assert_accessible(page, "survey-file-results")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Mój szkic.pdf").click()
    download = caught.value
    assert download.suggested_filename == f"odpowiedz-{answer.pk}-Mój-szkic.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF


def test_the_provider_builds_the_survey_a_municipality_ordered(
    page, live_stack, committed_db, operator, tenant_a
):
    from billing.services import order_place
    from tenants.models import Municipality
    from tests.billing.conftest import consultation_make, invoice_data_enter, orderer_make

    # given a consultation of A ordered with the add-on
    title = unique("Budżet obywatelski ")
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    consultation_id = consultation_make(tenant_a.schema_name, title=title)
    order_place(
        municipality=municipality,
        consultation_id=consultation_id,
        addon_codes=["addon-survey"],
        payment_method="transfer",
        acting_user=orderer_make(tenant_a.schema_name),
    )

    # The provider's staff member opens the municipality's page and the builder from it.
    provider_sign_in(page, live_stack, operator)
    page.goto(live_stack.url("localhost", f"/operator/gminy/{tenant_a.pk}/"))
    page.get_by_role("heading", name="Ankiety przygotowywane przez operatora").wait_for()
    assert_accessible(page, "provider-municipality-surveys")
    page.get_by_role("link", name=f"Przygotuj ankietę konsultacji „{title}”").click()
    page.get_by_role("button", name="Utwórz ankietę").click()
    page.get_by_text("Ankieta została utworzona.").wait_for()
    page.get_by_text(re.compile("^Przygotowują Państwo ankietę konsultacji")).wait_for()
    assert_accessible(page, "provider-survey-builder")

    # adds a question through the builder's own form
    page.get_by_role("link", name="Dodaj pytanie do sekcji 1").click()
    page.get_by_label("Rodzaj pytania").select_option("single")
    page.get_by_label("Pytanie:", exact=True).fill("Który projekt wybiera Pan/Pani?")
    page.get_by_label(re.compile("^Odpowiedzi, każda")).fill("Plac zabaw\nŚcieżka rowerowa")
    assert_accessible(page, "provider-survey-question-form")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Pytanie zostało zapisane.").wait_for()
    page.get_by_text("Który projekt wybiera Pan/Pani?").wait_for()
    assert_accessible(page, "provider-survey-builder-question")

    # then the survey is in A's schema, every change names the provider's staff member
    from consultations.models import AuditEvent

    with schema_context(tenant_a.schema_name):
        survey = Survey.objects.get(consultation_id=consultation_id)
        assert Question.objects.filter(section__version__survey=survey).count() == 1
        actors = set(
            AuditEvent.objects.filter(
                target_type="surveys.survey", target_id=str(survey.pk)
            ).values_list("actor_email", flat=True)
        )
    assert actors == {operator.email}
