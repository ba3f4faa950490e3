"""Meetings in Chromium, in Polish, with WCAG 2.1 AA checked: a coordinator sets up a study
walk and a consultation point; a resident signs up with the keyboard only on a 390 px screen
and confirms from the mail; the clerk records attendance from the ticked list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from meetings.models import Event, Signup, SignupStatus
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import department_make
from tests.e2e.test_consultation_journeys import sign_in
from tests.e2e.test_participation_forms import assert_fits_390
from tests.meetings.helpers import evening, meeting_consultation
from tests.subscriptions.mailbox import text_of, wait_for_message

pytestmark = pytest.mark.browser


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never got the focus with Tab")


def fill_event(page, *, kind: str, title: str, start, hours: int, step_free: bool) -> None:
    page.get_by_label("Rodzaj").select_option(label=kind)
    page.get_by_label("Tytuł").fill(title)
    page.get_by_label("Opis prostym językiem").fill("Zapraszamy wszystkich mieszkańców.")
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill((start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_venue").fill("Ratusz, sala 1")
    page.locator("#id_address").fill("Rynek 1, Dębno")
    if step_free:
        page.get_by_label("Dostęp bez schodów").check()
    page.get_by_label("Pętla indukcyjna").check()
    page.get_by_label("Wymagany zapis").check()
    page.get_by_label("Liczba miejsc").fill("12")


def test_meetings_from_set_up_to_attendance(page, browser, live_stack, committed_db, tenant_a):
    # given a coordinator's open consultation that holds meetings
    email = unique("koord") + "@a.test"
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Spotkań {tag}", coordinators=(coordinator,))
        consultation = meeting_consultation(department=department, title=f"Rynek {tag}")

    # The coordinator sets up a study walk on a weekday morning: warned, then confirmed.
    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/spotkania/"))
    assert_accessible(page, "meetings-panel-list")
    page.get_by_role("link", name="Nowe wydarzenie").click()
    walk_start = evening(days=9).replace(hour=10)
    fill_event(
        page,
        kind="Spacer studyjny",
        title=f"Spacer {tag}",
        start=walk_start,
        hours=2,
        step_free=False,
    )
    page.get_by_role("button", name="Zapisz").click()
    warnings = page.locator("#event-warnings")
    warnings.wait_for()
    assert "dzień roboczy" in warnings.inner_text()
    assert "bez schodów" in warnings.inner_text()
    assert_accessible(page, "meetings-event-warnings")
    assert_fits_390(page, "meetings-event-warnings")
    page.get_by_label("Zapoznałem się / zapoznałam się z ostrzeżeniami").check()
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Wydarzenie zostało zaplanowane.").wait_for()
    assert_accessible(page, "meetings-panel-event")

    # ... and a consultation point in the evening, with step-free access: no warnings.
    page.goto(
        live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/spotkania/nowe/")
    )
    fill_event(
        page,
        kind="Punkt konsultacyjny",
        title=f"Punkt {tag}",
        start=evening(days=10),
        hours=3,
        step_free=True,
    )
    page.get_by_label("Godziny otwarcia (punkt konsultacyjny)").fill("pon.–pt. 15:00–20:00")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Wydarzenie zostało zaplanowane.").wait_for()
    with schema_context(tenant_a.schema_name):
        walk = Event.objects.get(title=f"Spacer {tag}")
        assert Event.objects.filter(consultation=consultation).count() == 2

    # A resident on a 390 px phone signs up for the walk with the keyboard only.
    resident_email = unique("mieszkanka") + "@poczta.test"
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(15000)
    try:
        phone.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/spotkania/"))
        assert_accessible(phone, "meetings-schedule-390")
        phone.goto(live_stack.url(tenant_a.host, f"/spotkania/{walk.pk}/"))
        assert_accessible(phone, "meetings-event-390")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        # Sent empty: the consent's error stands above its box and label, which keep their
        # row (a flex row once squeezed the three side by side into narrow columns).
        phone.locator("form.signup-form button[type=submit]").click()
        phone.locator("#id_consent_error").wait_for()
        layout = phone.evaluate(
            """() => {
                const at = (el) => el.getBoundingClientRect();
                const box = at(document.getElementById('id_consent'));
                const label = at(document.querySelector('label[for=id_consent]'));
                const error = at(document.getElementById('id_consent_error'));
                return {errorAbove: error.bottom <= box.top && error.bottom <= label.top,
                        labelBeside: label.left >= box.right && label.top < box.bottom,
                        labelWidth: label.width};
            }"""
        )
        assert layout["errorAbove"] and layout["labelBeside"], layout
        assert layout["labelWidth"] > 250, layout
        tab_to(phone, "id_name")
        phone.keyboard.type("Maria Wiśniewska")
        phone.keyboard.press("Tab")
        phone.keyboard.type(resident_email)
        tab_to(phone, "id_needs_induction_loop")
        phone.keyboard.press("Space")
        tab_to(phone, "id_consent")
        phone.keyboard.press("Space")
        phone.keyboard.press("Tab")
        phone.keyboard.press("Enter")
        phone.get_by_role("heading", name="Prosimy sprawdzić pocztę e-mail").wait_for()
        assert_accessible(phone, "meetings-requested-390")

        # ... and confirms from the mail (the link shows a button; the button confirms).
        mail = wait_for_message(
            live_stack, resident_email, lambda m: "potwierdzenie zapisu" in m["Subject"]
        )
        link = re.search(r"http://\S+/spotkania/potwierdz/\S+/", text_of(mail)).group(0)
        phone.goto(link)
        assert_accessible(phone, "meetings-confirm-390")
        tab_to(
            phone,
            phone.evaluate(
                "document.querySelector('main form button').id ||"
                " (document.querySelector('main form button').id = 'confirm-button')"
            ),
        )
        phone.keyboard.press("Enter")
        phone.get_by_role("heading", name="Miejsce jest potwierdzone").wait_for()
        assert_accessible(phone, "meetings-confirmed-390")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    with schema_context(tenant_a.schema_name):
        signup = Signup.objects.get(event=walk, email=resident_email)
        assert signup.status == SignupStatus.CONFIRMED
        assert signup.needs_induction_loop
        # The walk has taken place (moved to yesterday, as time would).
        yesterday = timezone.now() - timedelta(days=1)
        Event.objects.filter(pk=walk.pk).update(
            starts_at=yesterday, ends_at=yesterday + timedelta(hours=2)
        )

    # The clerk ticks the resident on the list and records the attendance.
    page.goto(live_stack.url(tenant_a.host, f"/panel/spotkania/{walk.pk}/"))
    assert "Maria Wiśniewska" in page.locator("#signups").inner_text()
    page.get_by_label("Maria Wiśniewska").check()
    page.get_by_role("button", name="Zapisz frekwencję").click()
    page.get_by_text("Frekwencja została zapisana.").wait_for()
    page.get_by_text("Zapisana frekwencja: 1 osoba.").wait_for()
    assert_accessible(page, "meetings-attendance")
    assert_fits_390(page, "meetings-attendance")
    with schema_context(tenant_a.schema_name):
        assert Event.objects.get(pk=walk.pk).attendance == 1

    # The clerk enters two remarks from the minutes: each goes into the register with the
    # channel "at a consultation meeting" and the walk named.
    for author, text in (
        ("Jan Kowalski", "Prosimy o ławki w cieniu przy stawie."),
        ("Ewa Nowak", "Ścieżka rowerowa powinna omijać plac zabaw."),
    ):
        page.goto(live_stack.url(tenant_a.host, f"/panel/spotkania/{walk.pk}/"))
        page.locator("#remark-from-minutes").click()
        assert page.locator("#id_meeting_event").input_value() == str(walk.pk)
        assert page.get_by_label("Na spotkaniu konsultacyjnym").is_checked()
        page.locator("#id_justification").fill(text)
        page.locator("#id_author_name").fill(author)
        page.get_by_role("button", name="Zarejestruj uwagę").click()
        page.get_by_text("Uwaga została zarejestrowana pod numerem").wait_for()
    assert_accessible(page, "meetings-remark-from-minutes")
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/"))
    register = page.locator("main").inner_text()
    assert register.count(f"Spacer {tag}") == 2
    assert "Na spotkaniu konsultacyjnym" in register
    assert_accessible(page, "meetings-remarks-in-register")
    with schema_context(tenant_a.schema_name):
        from remarks.models import Remark

        remarks = Remark.objects.filter(consultation=consultation, channel="meeting")
        assert sorted(remarks.values_list("author_name", flat=True)) == [
            "Ewa Nowak",
            "Jan Kowalski",
        ]
        assert set(remarks.values_list("meeting_event_id", flat=True)) == {walk.pk}
