"""Consultation journeys in Chromium, in Polish, with WCAG 2.1 AA checked on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import Area, AuditEvent, Category, Consultation, ConsultationStatus
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import department_make, pdf_bytes

pytestmark = pytest.mark.browser


def sign_in(page, live_stack, host, email):
    page.goto(live_stack.url(host, "/konto/login/"))
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Panel urzędu").wait_for()


def test_a_coordinator_prepares_orders_pays_and_schedules_a_consultation(
    page, live_stack, committed_db, tenant_a, stripe_webhooks
):
    from tenants.models import Municipality
    from tests.billing.conftest import invoice_data_enter

    invoice_data_enter(Municipality.objects.get(pk=tenant_a.pk))
    # given a coordinator of a department, and an area and a category to choose
    email = unique("koord") + "@a.test"
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Rozwoju {tag}", coordinators=(coordinator,))
        Area.objects.create(name=f"Śródmieście {tag}")
        Category.objects.create(name=f"Zieleń {tag}")
    title = f"Rewitalizacja rynku w Dębnie {tag}"
    start = timezone.localtime() + timedelta(days=10)

    # The coordinator signs in and opens the consultations section.
    sign_in(page, live_stack, tenant_a.host, email)
    assert_accessible(page, "consult-panel-home")
    page.get_by_role("link", name="Zarządzaj konsultacjami").click()
    page.get_by_role("heading", name="Konsultacje", exact=True).wait_for()
    assert_accessible(page, "consult-panel-list")
    page.get_by_role("link", name="Nowe konsultacje").click()
    assert_accessible(page, "consult-panel-form")

    # A revitalisation with too short a period is saved as a draft; ordering refuses it,
    # naming the article (art. 6 ust. 5 of the revitalisation act: 35 days from the start).
    page.get_by_label(re.compile(r"^Tytuł:?$")).fill(title)
    page.get_by_label("Streszczenie prostym językiem").fill("Pytamy, jak ma wyglądać rynek.")
    page.get_by_label(re.compile(r"^Opis:?$")).fill(
        "Projekt obejmuje płytę rynku i okoliczne ulice."
    )
    page.get_by_label("Podstawa prawna").select_option("revitalisation")
    page.get_by_label("Wydział organizujący").select_option(str(department.pk))
    page.get_by_label(f"Śródmieście {tag}").check()
    page.get_by_label(f"Zieleń {tag}").check()
    # art. 6 ust. 4: remarks and at least two other forms
    page.get_by_label("Formularz uwag").check()
    page.get_by_label("Ankieta internetowa").check()
    page.get_by_label("Sondaż").check()
    page.get_by_label(re.compile(r"^Początek:?$")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile(r"^Koniec:?$")).fill(
        (start + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Osoba do kontaktu").fill("Anna Kowalska")
    page.get_by_label("E-mail kontaktowy").fill("anna.kowalska@debno.test")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_role("heading", name=title).wait_for()
    assert page.locator("#status").inner_text() == "Szkic"
    # The page lists the rules it will follow, each with its article.
    assert "art. 6 ust. 5" in page.locator("#rules-lines").inner_text()
    assert_accessible(page, "consult-panel-detail-draft")

    # A document (the draft) is attached.
    page.get_by_label("Tytuł dokumentu").fill("Koncepcja zagospodarowania rynku")
    page.get_by_label(re.compile(r"^Plik:?$")).set_input_files(
        files=[{"name": "koncepcja.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Dołącz").click()
    page.get_by_text("Dokument został dołączony.").wait_for()
    assert page.get_by_text(re.compile("Koncepcja zagospodarowania rynku \\(PDF")).is_visible()

    page.get_by_role("button", name="Zamów konsultacje").click()
    refusal = page.get_by_role("alert").filter(has_text="art. 6 ust. 5")
    refusal.wait_for()
    assert "Ustawa z dnia 9 października 2015 r. o rewitalizacji" in refusal.inner_text()
    assert "35 dni" in refusal.inner_text()
    assert page.locator("#status").inner_text() == "Szkic"
    assert_accessible(page, "consult-panel-order-refused")

    # The coordinator fixes the dates: 35 days.
    page.get_by_role("link", name="Zmień dane").click()
    page.get_by_label(re.compile(r"^Koniec:?$")).fill(
        (start + timedelta(days=35)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Zmiany zostały zapisane.").wait_for()

    # It is ordered; it awaits payment.
    page.get_by_role("button", name="Zamów konsultacje").click()
    page.get_by_text("Konsultacje zostały zamówione.").wait_for()
    assert page.locator("#status").inner_text() == "Zamówiona (oczekuje na płatność)"
    assert_accessible(page, "consult-panel-detail-ordered")

    # The coordinator goes on to the order, places it and pays (test mode: the server
    # confirms the PaymentIntent at localstripe; Stripe.js cannot load offline).
    page.get_by_role("link", name="Przejdź do zamówienia i płatności").click()
    page.get_by_role("heading", name="Zamów konsultację").wait_for()
    page.get_by_label("Płatność online (karta, BLIK, Przelewy24)").check()
    page.get_by_role("button", name="Złóż zamówienie").click()
    page.get_by_role("button", name="Zapłać").click()
    page.get_by_text("Dziękujemy – płatność została przyjęta.").wait_for()
    with schema_context(tenant_a.schema_name):
        consultation = Consultation.objects.get(title=title)
        assert consultation.payment_cleared_at is not None

    # Scheduling needs the announcement (art. 6 ust. 2): refused with nothing recorded.
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/"))
    page.get_by_role("button", name="Zaplanuj konsultacje").click()
    refusal = page.get_by_role("alert").filter(has_text="art. 6 ust. 2")
    refusal.wait_for()
    assert "Biuletyn Informacji Publicznej" in refusal.inner_text()

    # The coordinator records the BIP publication with its link.
    page.get_by_label(re.compile(r"^Kanał:?$")).select_option("bip")
    page.get_by_label(re.compile(r"^Data publikacji:?$")).fill(
        timezone.localdate().strftime("%Y-%m-%d")
    )
    page.get_by_label(re.compile(r"^Dowód: link:?$")).fill(
        "https://bip.debno.test/ogloszenia/rewitalizacja-rynku"
    )
    page.get_by_role("button", name="Zapisz publikację").click()
    page.get_by_text("Publikacja ogłoszenia została zapisana.").wait_for()
    assert "Biuletyn Informacji Publicznej" in page.locator("#publications").inner_text()
    assert "Prasa lokalna" in page.locator("#channels-missing").inner_text()
    assert_accessible(page, "consult-panel-announcement")

    # The press and notice board follow: the coordinator confirms they will, and schedules.
    page.get_by_label(re.compile("Potwierdzam, że ogłoszenie zostanie opublikowane")).check()
    page.get_by_role("button", name="Zaplanuj konsultacje").click()
    page.get_by_text(re.compile("zostały zaplanowane")).wait_for()
    assert page.locator("#status").inner_text() == "Zaplanowana"
    assert_accessible(page, "consult-panel-detail-scheduled")
    with schema_context(tenant_a.schema_name):
        assert Consultation.objects.get(pk=consultation.pk).status == ConsultationStatus.SCHEDULED
        confirmed = AuditEvent.objects.get(
            consultation_id=consultation.pk, action="announcement_channels_confirm"
        )
        assert confirmed.details["channels"] == ["press", "notice_board"]


def test_a_resident_finds_a_consultation_by_two_criteria_reads_it_and_downloads_a_document(
    page, live_stack, committed_db, tenant_b
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations.services import document_add
    from tests.consultations.factories import consultation_in_state

    # given open consultations in B: one in the area and category asked for, others not
    tag = unique("")
    now = timezone.now()
    with schema_context(tenant_b.schema_name):
        admin = user_create(email=unique("adm") + "@b.test", password=PASSWORD, role="admin")
        area = Area.objects.create(name=f"Osiedle Parkowe {tag}")
        other_area = Area.objects.create(name=f"Osiedle Leśne {tag}")
        category = Category.objects.create(name=f"Transport {tag}")
        department = department_make(f"Wydział Komunikacji {tag}")
        wanted = consultation_in_state(
            "open",
            department=department,
            title=f"Nowa pętla autobusowa {tag}",
            summary="Gdzie ma zawracać autobus linii 5?",
            participation_forms=["remarks", "citizens_panel"],
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=20),
        )
        wanted.areas.set([area])
        wanted.categories.set([category])
        same_area_other_topic = consultation_in_state(
            "open", department=department, title=f"Plac zabaw {tag}"
        )
        same_area_other_topic.areas.set([area])
        other_area_same_topic = consultation_in_state(
            "open", department=department, title=f"Ścieżka rowerowa {tag}"
        )
        other_area_same_topic.areas.set([other_area])
        other_area_same_topic.categories.set([category])
        document_add(
            acting_user=admin,
            consultation_id=wanted.pk,
            title="Mapa wariantów pętli",
            upload=SimpleUploadedFile("mapa.pdf", pdf_bytes(), content_type="application/pdf"),
        )

    # The resident opens the list and picks an area and a category at once.
    page.goto(live_stack.url(tenant_b.host, "/"))
    assert_accessible(page, "consult-resident-home")
    # The main menu in the header leads to the list, the news and the notifications.
    menu = page.get_by_role("navigation", name="Menu główne")
    for name in ("Konsultacje", "Aktualności", "Powiadomienia e-mail"):
        assert menu.get_by_role("link", name=name, exact=True).is_visible()
    menu.get_by_role("link", name="Konsultacje", exact=True).click()
    page.get_by_role("heading", name="Konsultacje", exact=True).wait_for()
    assert_accessible(page, "consult-resident-list")

    # On a phone the first result shows on the first screen: the criteria are folded.
    page.set_viewport_size({"width": 390, "height": 844})
    first_result = page.locator(".consultation-card").first
    assert page.locator("#h-results").bounding_box()["y"] < 844
    assert first_result.bounding_box()["y"] < 844
    assert not page.get_by_label(re.compile(f"^Osiedle Parkowe {tag}")).is_visible()
    page.get_by_text("Filtry", exact=True).click()
    assert page.get_by_label(re.compile(f"^Osiedle Parkowe {tag}")).is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label(re.compile(f"^Osiedle Parkowe {tag}")).check()
    page.get_by_label(re.compile(f"^Transport {tag}")).check()
    page.get_by_role("button", name="Szukaj").click()

    # Only the intersection is listed, and the URL can be shared.
    page.get_by_role("heading", name="Znaleziono 1 konsultację").wait_for()
    assert f"area={area.pk}" in page.url and f"category={category.pk}" in page.url
    assert page.get_by_role("link", name=f"Nowa pętla autobusowa {tag}").is_visible()
    assert page.get_by_role("link", name=f"Plac zabaw {tag}").count() == 0
    assert page.get_by_role("link", name=f"Ścieżka rowerowa {tag}").count() == 0
    assert_accessible(page, "consult-resident-list-filtered")

    # The resident reads it: timeline, how to take part, contact.
    page.get_by_role("link", name=f"Nowa pętla autobusowa {tag}").click()
    page.get_by_role("heading", name=f"Nowa pętla autobusowa {tag}").wait_for()
    assert page.get_by_role("heading", name="Harmonogram").is_visible()
    # each form in use, from the registry: the remarks form is open; a row of a kind no
    # installed app registers is not shown
    assert page.get_by_role("heading", name="Formularz uwag").is_visible()
    assert page.get_by_text(re.compile("^Uwagi przyjmujemy do ")).is_visible()
    assert page.get_by_text("citizens_panel").count() == 0
    assert_accessible(page, "consult-resident-detail")

    # And downloads the document.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mapa wariantów pętli").click()
    download = download_info.value
    assert download.suggested_filename == "mapa.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
