"""A coordinator chooses a consultation's forms of participation from the registered kinds,
in Chromium, in Polish, with WCAG 2.1 AA checked at 1280 and 390 px."""

import re

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import ConsultationStatus, ParticipationForm
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import consultation_in_state, department_make
from tests.consultations.test_participation import order_with
from tests.e2e.test_consultation_journeys import sign_in

pytestmark = pytest.mark.browser


def assert_fits_390(page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, f"{name}-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: {width} px wide at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def kinds(consultation) -> list[str]:
    return list(
        ParticipationForm.objects.filter(consultation=consultation)
        .order_by("position", "pk")
        .values_list("kind", flat=True)
    )


def test_a_coordinator_chooses_the_forms_of_participation(page, live_stack, committed_db, tenant_a):
    # given a coordinator's draft with the remarks form and a row of a kind no installed app registers
    email = unique("koord") + "@a.test"
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Form {tag}", coordinators=(coordinator,))
        consultation = consultation_in_state(
            ConsultationStatus.DRAFT,
            department=department,
            title=f"Park kieszonkowy {tag}",
            participation_forms=["citizens_panel", "remarks"],
        )
    edit_url = live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/edycja/")

    # The coordinator opens the form: only registered kinds are offered.
    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(edit_url)
    remarks = page.get_by_label("Formularz uwag", exact=True)
    comments = page.get_by_label("Komentarze do projektu, paragraf po paragrafie")
    assert remarks.is_checked() and not comments.is_checked()
    assert page.get_by_label("citizens_panel").count() == 0
    assert page.get_by_label("Geoankieta (test)").count() == 0  # its add-on is not ordered
    page.get_by_text(re.compile("jeszcze niedostępne.*citizens_panel")).wait_for()
    assert_accessible(page, "participation-form-choose")
    assert_fits_390(page, "participation-form-choose")

    # With the keyboard: the comments form is ticked and the form saved.
    comments.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zmiany zostały zapisane.").wait_for()
    forms_list = page.locator("#participation-forms")
    assert forms_list.inner_text().split("\n") == [
        "citizens_panel jeszcze niedostępna",
        "Formularz uwag · Ustawienia formularza „Formularz uwag”",
        "Komentarze do projektu, paragraf po paragrafie · Ustawienia formularza "
        "„Komentarze do projektu, paragraf po paragrafie”",
    ]
    page.get_by_role("heading", name="Historia").wait_for()
    assert page.get_by_text(re.compile(f"{re.escape(email)}: dodanie formy udziału")).count() == 1
    assert_accessible(page, "participation-detail")
    assert_fits_390(page, "participation-detail")
    with schema_context(tenant_a.schema_name):
        assert kinds(consultation) == ["citizens_panel", "remarks", "paragraph_comments"]

    # Once the order includes the add-on, the kind that needs it is offered, and chosen.
    with schema_context(tenant_a.schema_name):
        order_with(tenant_a, consultation, ["base-30", "geoankieta-test"], "awaiting_payment")
    page.goto(edit_url)
    page.get_by_label("Geoankieta (test)").check()
    page.get_by_label("Formularz uwag", exact=True).uncheck()
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zmiany zostały zapisane.").wait_for()
    with schema_context(tenant_a.schema_name):
        assert kinds(consultation) == ["citizens_panel", "paragraph_comments", "live_geosurvey"]
