"""Surveys in Chromium, in Polish, with WCAG 2.1 AA checked: a coordinator builds a survey
with a conditional question using plain forms; a resident answers it with the keyboard only,
at 1280 and at 390 px; the results page."""

import re

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import ConsultationStatus
from surveys.models import Answer, Response
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import consultation_in_state, department_make
from tests.e2e.test_consultation_journeys import sign_in
from tests.e2e.test_participation_forms import assert_fits_390

pytestmark = pytest.mark.browser


def test_a_coordinator_builds_a_survey_with_a_condition_and_a_resident_answers_it(
    page, browser, live_stack, committed_db, tenant_a
):
    # given an open consultation with a survey form
    email = unique("koord") + "@a.test"
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Ankiet {tag}", coordinators=(coordinator,))
        consultation = consultation_in_state(
            ConsultationStatus.OPEN,
            department=department,
            title=f"Park przy szkole {tag}",
            participation_forms=["remarks", "survey"],
        )
    builder = live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/ankieta/")

    # The coordinator creates the survey and adds two questions, the second conditional.
    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(builder)
    page.get_by_role("button", name="Utwórz ankietę").click()
    page.get_by_text("Ankieta została utworzona.").wait_for()
    assert_accessible(page, "survey-builder-empty")
    page.get_by_role("link", name="Dodaj pytanie do sekcji 1").click()
    page.get_by_label("Rodzaj pytania").select_option("single")
    page.get_by_label("Pytanie:", exact=True).fill("Czy korzysta Pan/Pani z parku?")
    page.get_by_label("Odpowiedź obowiązkowa").check()
    page.get_by_label(re.compile("^Odpowiedzi, każda")).fill("Tak\nNie")
    assert_accessible(page, "survey-question-form")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Pytanie zostało zapisane.").wait_for()
    page.get_by_role("link", name="Dodaj pytanie do sekcji 1").click()
    page.get_by_label("Rodzaj pytania").select_option("long_text")
    page.get_by_label("Pytanie:", exact=True).fill("Co w parku należy zmienić?")
    page.get_by_label("Pokaż tylko wtedy, gdy pytanie").select_option(
        label="Czy korzysta Pan/Pani z parku?"
    )
    page.get_by_label("warunek:", exact=True).select_option("equals")
    page.get_by_label(re.compile("^odpowiedź \\(w pytaniu wyboru")).fill("Tak")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Pytanie zostało zapisane.").wait_for()
    page.get_by_text(
        "Dotyczy tylko osób, które w pytaniu „Czy korzysta Pan/Pani z parku?” wybrały "
        "odpowiedź „Tak”."
    ).first.wait_for()
    assert_accessible(page, "survey-builder")
    assert_fits_390(page, "survey-builder")
    page.get_by_role("link", name="Podgląd tak, jak widzą go mieszkańcy").click()
    page.get_by_text(re.compile("^Podgląd: tak dokładnie")).wait_for()
    assert_accessible(page, "survey-preview")

    # A resident (another browser context) answers with the keyboard only, at 390 px.
    resident = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    rpage = resident.new_page()
    rpage.set_default_timeout(15000)
    rpage.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/ankieta/"))
    rpage.get_by_role("heading", name="Ankieta internetowa", level=1).wait_for()
    assert_accessible(rpage, "survey-answer-390")
    assert rpage.evaluate("document.documentElement.scrollWidth") <= 390
    # Tab from the top of the page to the first radio button, choose "Tak" with the arrows.
    for _ in range(40):
        rpage.keyboard.press("Tab")
        if rpage.evaluate("document.activeElement.type") == "radio":
            break
    assert rpage.evaluate("document.activeElement.type") == "radio"
    rpage.keyboard.press("Space")
    rpage.keyboard.press("Tab")
    assert rpage.evaluate("document.activeElement.tagName") == "TEXTAREA"
    rpage.keyboard.type("Więcej ławek i cienia.")
    rpage.keyboard.press("Tab")
    assert rpage.evaluate("document.activeElement.textContent").strip() == "Wyślij odpowiedź"
    rpage.keyboard.press("Enter")
    rpage.get_by_role("heading", name="Dziękujemy za odpowiedź").wait_for()
    assert_accessible(rpage, "survey-thanks-390")
    resident.close()

    # then one response with both answers, and the staff results page shows it
    with schema_context(tenant_a.schema_name):
        response = Response.objects.get(survey__consultation=consultation)
        texts = sorted(
            (a.choice.text if a.choice_id else a.text)
            for a in Answer.objects.filter(response=response)
        )
    assert texts == ["Tak", "Więcej ławek i cienia."]
    page.goto(builder + "wyniki/")
    page.get_by_role("heading", name=re.compile("^Wyniki: ")).wait_for()
    assert page.get_by_role("row", name=re.compile("Tak 1 100,0%")).count() == 1
    assert_accessible(page, "survey-results")
    assert_fits_390(page, "survey-results")
