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


def test_a_coordinator_invites_an_ngo_to_a_map_survey_and_it_answers_once_through_its_link(
    page, browser, live_stack, committed_db, tenant_a
):
    """The map question, the page's show/hide script and the one-time link, in Polish, with
    axe at 1280 and 390 px; the resident's page is the CSP-watched one."""
    import json

    from consultations.models import Area
    from surveys import services
    from surveys.models import Invitation
    from surveys.services import ConditionInput, QuestionInput

    # given an open consultation with a survey form and two areas with outlines
    tag = unique("")
    email = unique("koord") + "@a.test"
    ngo = unique("fundacja-") + "@ngo.test"
    north, south = f"Osiedle Północ {tag}", f"Osiedle Południe {tag}"

    def square(lon, lat):
        ring = [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat + 0.02]]
        return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})

    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Map {tag}", coordinators=(coordinator,))
        consultation = consultation_in_state(
            ConsultationStatus.OPEN,
            department=department,
            title=f"Program współpracy {tag}",
            participation_forms=["remarks", "survey"],
        )
        Area.objects.create(name=north, outline=square(18.60, 54.40))
        Area.objects.create(name=south, outline=square(18.60, 54.37))
    builder = live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/ankieta/")

    # The coordinator (own browser context) creates the survey with a map question...
    staff_context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.set_default_timeout(15000)
    sign_in(staff, live_stack, tenant_a.host, email)
    staff.goto(builder)
    staff.get_by_role("button", name="Utwórz ankietę").click()
    staff.get_by_role("link", name="Dodaj pytanie do sekcji 1").click()
    staff.get_by_label("Rodzaj pytania").select_option("point")
    staff.get_by_label("Pytanie:", exact=True).fill("Gdzie brakuje miejsca spotkań?")
    staff.get_by_label("Odpowiedź obowiązkowa").check()
    staff.get_by_role("button", name="Zapisz").click()
    staff.get_by_text("Pytanie zostało zapisane.").wait_for()
    with schema_context(tenant_a.schema_name):
        # ...and a question shown only for the northern estate (the builder's condition form
        # is covered by the first journey)
        from surveys.selectors import survey_current_version, survey_of

        survey = survey_of(consultation, "survey")
        map_q = survey_current_version(survey).sections.get().questions.get()
        services.question_add(
            acting_user=coordinator,
            survey_id=survey.pk,
            section_key=map_q.section.key,
            data=QuestionInput(
                type="short_text",
                text="Co w nim urządzić?",
                condition=ConditionInput(question_key=map_q.key, op="equals", value=north),
            ),
        )
    # ...sets it to invited addresses only, and invites the NGO
    staff.goto(builder)
    staff.get_by_label("Tylko zaproszone adresy e-mail, przez jednorazowe linki").check()
    staff.get_by_role("button", name="Zapisz ustawienia").click()
    staff.get_by_role("link", name="Zaproszone adresy i jednorazowe linki").click()
    staff.get_by_label("Adresy e-mail do zaproszenia, każdy w osobnym wierszu").fill(
        f"Fundacja Testowa <{ngo}>"
    )
    staff.get_by_role("button", name="Wyślij zaproszenia").click()
    staff.get_by_text("1 zaproszenie jest wysyłane.").wait_for()
    assert_accessible(staff, "survey-invitations")
    staff_context.close()

    # The mail (sent by the worker) carries the link on the municipality's domain.
    mail = live_stack.wait_for_mail(ngo)
    link = re.search(r"http://\S+/zaproszenie/\S+/", mail).group(0)
    assert link.startswith(f"http://{tenant_a.host}:{live_stack.port}/")
    # the plain page is closed to everyone else
    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/ankieta/"))
    page.get_by_text(re.compile("odpowiadają tylko zaproszone organizacje")).wait_for()

    # The NGO opens its link on a phone: the map is drawn from the outlines.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    page.locator(".survey-map path.leaflet-interactive").first.wait_for()
    follow_up = page.get_by_label("2. Co w nim urządzić?")
    assert follow_up.is_hidden()  # hidden by the page's script until the north is chosen
    select = page.get_by_label("Obszar", exact=True)
    paths = page.locator(".survey-map path.leaflet-interactive")
    for index in range(paths.count()):
        paths.nth(index).click()
        chosen = select.evaluate("s => s.options[s.selectedIndex].text")
        if chosen == north:
            break
    assert select.evaluate("s => s.options[s.selectedIndex].text") == north
    point = page.get_by_label("Miejsce: szerokość i długość geograficzna (opcjonalnie)")
    assert re.fullmatch(r"54\.4\d+, 18\.6\d+", point.input_value())
    follow_up.wait_for()  # shown now
    follow_up.fill("Świetlicę dla seniorów.")
    assert_accessible(page, "survey-map-answer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    page.get_by_role("heading", name="Dziękujemy za odpowiedź").wait_for()

    # then one response, its area decided by the point; the link is used up
    with schema_context(tenant_a.schema_name):
        response = Response.objects.get(survey=survey)
        answers = {a.question_id: a for a in Answer.objects.filter(response=response)}
        assert answers[map_q.pk].choice.text == north
        assert answers[map_q.pk].text.startswith("54.4")
        assert Invitation.objects.get(survey=survey).used_at is not None
    page.goto(link)
    page.get_by_text("Ten osobisty link został już wykorzystany").wait_for()
    assert page.get_by_role("button", name="Wyślij odpowiedź").count() == 0
    assert_accessible(page, "survey-link-used")
