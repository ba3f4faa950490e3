"""The consultation report in Chromium, in Polish: a coordinator writes the conclusions and
generates the report (the worker renders it, the panel shows the progress), sees the
remark that blocks publication, answers it; a colleague approves and publishes; a resident
reads the report on the consultation's page (WCAG 2.1 AA at 1280 and 390 px) and downloads
the PDF, which has a structure tree and its language set."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import Consultation, ConsultationStatus
from remarks.models import Remark
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import consultation_in_state, department_make
from tests.e2e.test_remarks_journeys import check_narrow, field, sign_in
from tests.reports.helpers import PRIVATE_EMAILS, PRIVATE_NAMES, remarks_seed, survey_seed

pytestmark = pytest.mark.browser

SCREENS = "var/screens"


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)


def test_the_report_is_generated_blocked_answered_approved_published_and_read(
    page, live_stack, committed_db, tenant_a
):
    # given a closed consultation with four remarks, one of them still without a response
    coordinator_email = unique("koord") + "@a.test"
    colleague_email = unique("kolega") + "@a.test"
    with schema_context(tenant_a.schema_name):
        coordinator = user_create(email=coordinator_email, password=PASSWORD, role="coordinator")
        colleague = user_create(email=colleague_email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(coordinator, colleague))
        consultation = consultation_in_state(
            ConsultationStatus.CLOSED,
            department=department,
            participation_forms=["remarks", "survey"],
            # its council resolution gives the report 30 days after closing
            rules_snapshot={"report_deadline_days": 30, "report_article": "§ 9"},
        )
        Consultation.objects.filter(pk=consultation.pk).update(closed_at=timezone.now())
        remarks = remarks_seed(
            consultation, count=4, drafter=coordinator, approver=colleague, unanswered=1
        )
        survey_seed(consultation, responses=30)
        blocking: Remark = remarks[-1]
    panel = f"/panel/konsultacje/{consultation.pk}/raport/"

    # the coordinator writes the conclusions in the editor and generates the report
    sign_in(page, live_stack, tenant_a.host, coordinator_email)
    page.goto(live_stack.url(tenant_a.host, panel))
    page.get_by_role("heading", name=re.compile("^Raport z konsultacji")).wait_for()
    page.get_by_text(re.compile(r"Pozostało 30 dni\.|Pozostały \d+ dni\.")).wait_for()
    editor = page.get_by_role("textbox", name=re.compile("^Wnioski"))
    editor.click()
    page.keyboard.type("Mieszkańcy chcą dłużej otwartego parku.")
    page.get_by_role("button", name="Pogrubienie").click()
    page.keyboard.type(" Ważne.")
    page.get_by_role("button", name="Zapisz wnioski").click()
    page.get_by_text("Wnioski zostały zapisane.").wait_for()
    page.get_by_role("button", name="Wygeneruj raport").click()
    # the page refreshes by itself while the worker renders every format
    page.get_by_role("link", name="PDF").wait_for(timeout=120_000)
    assert page.get_by_role("link", name="ODT").count() == 1
    page.screenshot(path=f"{SCREENS}/report-panel.png", full_page=True)
    assert_accessible(page, "report-panel")

    # publishing is refused: the unanswered remark is listed
    page.get_by_role("button", name="Opublikuj raport").click()
    page.get_by_role("heading", name="Uwagi bez zatwierdzonej odpowiedzi").wait_for()
    page.get_by_role("alert").get_by_text("Raportu nie można opublikować").wait_for()
    blocker = page.get_by_role("link", name=blocking.reference)
    assert blocker.count() == 1
    assert_accessible(page, "report-blocked")
    check_narrow(page, "report-blocked")
    # the coordinator answers it from the list
    blocker.click()
    page.get_by_label("Uwzględniona", exact=True).check()
    field(page, "Uzasadnienie").fill("Uwzględniono: park będzie otwarty dłużej.")
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    page.get_by_text("oczekuje na zatwierdzenie przez drugą osobę").wait_for()
    page.get_by_role("button", name="Wyloguj się").click()

    # a colleague approves the response and publishes the report
    sign_in(page, live_stack, tenant_a.host, colleague_email)
    page.goto(
        live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/{blocking.pk}/")
    )
    page.get_by_role("button", name="Zatwierdź odpowiedź").click()
    page.get_by_text("Odpowiedź została zatwierdzona i jest publiczna.").wait_for()
    page.goto(live_stack.url(tenant_a.host, panel))
    assert page.get_by_role("heading", name="Uwagi bez zatwierdzonej odpowiedzi").count() == 0
    page.get_by_role("button", name="Opublikuj raport").click()
    page.get_by_text("Raport został opublikowany.").wait_for()
    page.get_by_role("button", name="Wyloguj się").click()

    # a resident reads it from the consultation's page and downloads the PDF
    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/"))
    page.get_by_role("link", name="Raport z konsultacji").click()
    page.get_by_role("heading", name="Wnioski").wait_for()
    for _ in range(60):
        if page.get_by_role("link", name=re.compile("^Raport w formacie PDF")).count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    content = page.content()
    assert "Mieszkańcy chcą dłużej otwartego parku." in content
    assert "Uwzględniono: park będzie otwarty dłużej." in content
    for private in PRIVATE_NAMES + PRIVATE_EMAILS:
        assert private not in content
    assert page.get_by_role("img", name=re.compile("Czy rynek potrzebuje zieleni?")).count() == 1
    page.screenshot(path=f"{SCREENS}/report-page.png", full_page=True)
    assert_accessible(page, "report-page")
    check_narrow(page, "report-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SCREENS}/report-page-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Raport w formacie PDF")).click()
    pdf = download_info.value.path().read_bytes()

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "pl"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    text = "".join(page_.extract_text() for page_ in reader.pages)
    assert "Mieszkańcy chcą dłużej otwartego parku." in text
