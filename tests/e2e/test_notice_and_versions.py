"""The announcement and frozen documents in Chromium, in Polish, WCAG 2.1 AA on every page:
a coordinator schedules a consultation, downloads its announcement as PDF and reads it, adds
a corrected draft as version 2; a resident sees and downloads both versions."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader

from accounts.services import user_create
from consultations.models import Consultation, ConsultationStatus, Document
from consultations.services import document_add
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import consultation_in_state, department_make, pdf_bytes
from tests.e2e.test_consultation_journeys import sign_in

pytestmark = pytest.mark.browser


def pdf_text(path: str) -> str:
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ").split())


def test_a_coordinator_reads_the_announcement_and_corrects_the_draft_as_version_2(
    page, live_stack, committed_db, tenant_a
):
    # given a paid, ordered consultation of the coordinator's department, with its draft
    tag = unique("")
    email = unique("koord") + "@a.test"
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(f"Wydział Gospodarki {tag}", coordinators=(coordinator,))
        consultation = consultation_in_state(
            ConsultationStatus.ORDERED,
            department=department,
            title=f"Program opieki nad zabytkami {tag}",
        )
        Consultation.objects.filter(pk=consultation.pk).update(payment_cleared_at=timezone.now())
        draft = document_add(
            acting_user=coordinator,
            consultation_id=consultation.pk,
            title=f"Projekt programu {tag}",
            upload=SimpleUploadedFile("projekt.pdf", pdf_bytes(), content_type="application/pdf"),
        )

    # The coordinator schedules it: the announcement joins its documents.
    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/"))
    page.get_by_role("button", name="Zaplanuj konsultacje").click()
    page.get_by_text("Konsultacje zostały zaplanowane").wait_for()
    assert_accessible(page, "notice-panel-scheduled")

    # The coordinator downloads the announcement as PDF and reads it.
    notice = page.locator("#notice-documents")
    with page.expect_download() as download_info:
        notice.get_by_role("link", name="Ogłoszenie o konsultacjach (PDF)").click()
    text = pdf_text(download_info.value.path())
    for expected in (
        "Gmina Testowa A",
        "OGŁOSZENIE O KONSULTACJACH SPOŁECZNYCH",
        f"Program opieki nad zabytkami {tag}",
        f"Wydział Gospodarki {tag}",
        "art. 5a ust. 1 i 2 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym",
        "Sposób i miejsce składania uwag",
        f"/konsultacje/{consultation.slug}/",
        "Informacja o przetwarzaniu danych osobowych (art. 13 RODO)",
    ):
        assert expected in text, (expected, text)

    # The draft cannot be removed any more: a corrected version is offered instead.
    documents = page.locator("#documents")
    assert documents.get_by_role("button", name=re.compile("^Usuń")).count() == 0
    documents.get_by_role("link", name=re.compile("^Dodaj poprawioną wersję")).click()
    page.get_by_role("heading", name="Dodaj poprawioną wersję").wait_for()
    assert_accessible(page, "notice-panel-revise")
    # without a note it is refused, saying why
    page.get_by_label("Poprawiony plik").set_input_files(
        {"name": "projekt-v2.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Dodaj poprawioną wersję").click()
    page.get_by_text("Prosimy opisać, co się zmieniło").wait_for()
    assert_accessible(page, "notice-panel-revise-error")
    page.get_by_label("Poprawiony plik").set_input_files(
        {"name": "projekt-v2.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_label("Co się zmieniło").fill("Dodano wykaz zabytków w załączniku nr 2.")
    page.get_by_role("button", name="Dodaj poprawioną wersję").click()
    page.get_by_text("Dodano wersję 2 dokumentu.").wait_for()
    with schema_context(tenant_a.schema_name):
        second = Document.objects.get(first_version=draft)
        assert second.version == 2

    # A resident sees both versions, with the date and the note, and downloads each.
    resident = page.context.browser.new_context(
        locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    visitor = resident.new_page()
    visitor.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/"))
    listed = visitor.locator("#documents")
    assert listed.get_by_text(re.compile(r"Wersja 2 z \d+ \w+ 20\d\d")).is_visible()
    assert listed.get_by_text("Dodano wykaz zabytków w załączniku nr 2.").is_visible()
    assert_accessible(visitor, "notice-resident-versions")
    with visitor.expect_download() as current:
        listed.get_by_role("link", name=f"Projekt programu {tag}", exact=True).click()
    assert current.value.suggested_filename == "projekt-v2-wersja-2.pdf"
    with visitor.expect_download() as earlier:
        listed.get_by_role("link", name=f"Projekt programu {tag}, wersja 1").click()
    assert earlier.value.suggested_filename == "projekt.pdf"
    for download in (current.value, earlier.value):
        with open(download.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
    # and the announcement is on the page too
    assert visitor.get_by_role("link", name="Ogłoszenie o konsultacjach (ODT)").is_visible()
    resident.close()
