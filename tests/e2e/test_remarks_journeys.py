"""The register of remarks in Chromium, in Polish, with WCAG 2.1 AA checked on every page,
at 1280 px and at 390 px: a resident sends a remark with the keyboard only and confirms it
from the mail; a clerk registers a paper remark with its scan; a coordinator answers a group
and a colleague approves; a moderator hides a comment with a reason."""

from __future__ import annotations

import re
import uuid

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from remarks.models import DraftUnit, Remark
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.consultations.factories import department_make, pdf_bytes
from tests.remarks.helpers import form_settings, open_consultation, paper_remark

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _patient(page):
    """Up to 8 test runs share 2 cores: gunicorn's first answers can take half a minute."""
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(90_000)


def sign_in(page, live_stack, host, email):
    page.goto(live_stack.url(host, "/konto/login/"))
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Panel urzędu").wait_for()


def check_narrow(page, name):
    """The same page at 390 px: accessible, and nothing scrolls sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, f"{name}-390")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow} px of horizontal scrolling at 390 px"
    page.set_viewport_size(size)


def field(page, label: str):
    """The field labelled ``label`` (Django adds a colon to field labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def tab_to(page, label: str, limit: int = 80) -> None:
    """Press Tab until the field labelled ``label`` has the focus (keyboard only)."""
    target = field(page, label)
    target_id = target.first.get_attribute("id")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == target_id:
            return
    raise AssertionError(f"Tab never reached “{label}”")


def tab_to_button(page, name: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "() => document.activeElement && document.activeElement.tagName === 'BUTTON'"
            " ? document.activeElement.innerText.trim() : ''"
        )
        if text == name:
            return
    raise AssertionError(f"Tab never reached the button “{name}”")


def test_a_resident_sends_a_remark_with_the_keyboard_and_confirms_it_from_the_mail(
    page, live_stack, committed_db, tenant_a
):
    with schema_context(tenant_a.schema_name):
        consultation = open_consultation()
    email = unique("mieszkanka") + "@example.pl"

    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/uwagi/"))
    page.get_by_role("heading", name="Formularz uwag").wait_for()
    assert_accessible(page, "remarks-form")
    check_narrow(page, "remarks-form")

    tab_to(page, "Część dokumentu, której dotyczy uwaga")
    page.keyboard.type("§ 3 ust. 2")
    tab_to(page, "Obecny zapis")
    page.keyboard.type("Park jest otwarty w godzinach 6–22.")
    tab_to(page, "Proponowany zapis (wymagane)")
    page.keyboard.type("Park jest otwarty całą dobę.")
    tab_to(page, "Uzasadnienie (wymagane)")
    page.keyboard.type("Mieszkańcy wracają późno z pracy.")
    tab_to(page, "Imię i nazwisko (wymagane)")
    page.keyboard.type("Maria Wiśniewska")
    tab_to(page, "Adres e-mail (wymagane)")
    page.keyboard.type(email)
    tab_to(page, "Potwierdzam zapoznanie się z klauzulą informacyjną.")
    page.keyboard.press("Space")
    tab_to_button(page, "Wyślij uwagę")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Prosimy potwierdzić uwagę").wait_for()
    assert_accessible(page, "remarks-sent")

    mail = live_stack.wait_for_mail(email)
    link = re.search(r"http://\S+/uwagi/potwierdz/\S+/", mail).group(0)
    # Opening the link (as a mail scanner would) registers nothing.
    page.goto(link)
    page.get_by_role("heading", name="Prosimy potwierdzić uwagę").wait_for()
    with schema_context(tenant_a.schema_name):
        assert Remark.objects.get(email=email).reference is None
    assert_accessible(page, "remarks-confirm")
    check_narrow(page, "remarks-confirm")
    tab_to_button(page, "Potwierdzam i wysyłam")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Uwaga została zarejestrowana").wait_for()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"UW/\d{4}/\d{4,}", reference)
    assert_accessible(page, "remarks-registered")

    registered = live_stack.wait_for_mail(email + "", seconds=30)
    deadline_mails = [m for m in live_stack.mails() if reference in m]
    assert deadline_mails or reference in registered


def test_a_clerk_registers_a_paper_remark_with_its_scan(page, live_stack, committed_db, tenant_a):
    email = unique("urzednik") + "@a.test"
    with schema_context(tenant_a.schema_name):
        clerk = user_create(email=email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(clerk,))
        consultation = open_consultation(department=department)

    sign_in(page, live_stack, tenant_a.host, email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/"))
    page.get_by_role("heading", name="Rejestr uwag").wait_for()
    assert_accessible(page, "remarks-register-empty")
    page.get_by_role("link", name=re.compile("Rejestracja uwagi")).click()
    page.get_by_role("heading", name="Zarejestruj uwagę").wait_for()
    assert_accessible(page, "remarks-enter")
    check_narrow(page, "remarks-enter")
    page.get_by_label("Na piśmie").check()
    field(page, "Numer sprawy").fill("OR.152.7.2026")
    field(page, "Skan oryginału").set_input_files(
        files=[{"name": "skan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    field(page, "Część dokumentu, której dotyczy uwaga").fill("§ 1")
    field(page, "Proponowany zapis").fill("Dodać ławki.")
    field(page, "Uzasadnienie").fill("Brakuje miejsc do odpoczynku.")
    field(page, "Imię i nazwisko").fill("Tadeusz Kowal")
    field(page, "Data wpływu").fill(_today())
    page.get_by_role("button", name="Zarejestruj uwagę").click()
    page.get_by_text(re.compile(r"zarejestrowana pod numerem UW/\d{4}/\d{4,}")).wait_for()
    assert_accessible(page, "remarks-detail")
    check_narrow(page, "remarks-detail")
    with page.expect_download() as download:
        page.get_by_role("link", name="Pobierz skan").click()
    assert download.value.suggested_filename.endswith("-scan.pdf")
    with schema_context(tenant_a.schema_name):
        remark = Remark.objects.get(consultation=consultation)
        assert remark.entered_by_id == clerk.pk and remark.case_number == "OR.152.7.2026"


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def test_a_coordinator_answers_a_group_and_a_colleague_approves(
    page, live_stack, committed_db, tenant_a
):
    author_email = unique("koord") + "@a.test"
    colleague_email = unique("kolega") + "@a.test"
    with schema_context(tenant_a.schema_name):
        author = user_create(email=author_email, password=PASSWORD, role="coordinator")
        colleague = user_create(email=colleague_email, password=PASSWORD, role="coordinator")
        department = department_make(coordinators=(author, colleague))
        consultation = open_consultation(department=department)
        remarks = [paper_remark(consultation, author) for _ in range(3)]

    sign_in(page, live_stack, tenant_a.host, author_email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/"))
    for remark in remarks[:2]:
        page.get_by_label(f"Uwaga {remark.reference}", exact=True).check()
    field(page, "Nazwa grupy").fill("Godziny otwarcia parku")
    page.get_by_role("button", name="Grupuj").click()
    page.get_by_role("heading", name="Grupa: Godziny otwarcia parku").wait_for()
    assert_accessible(page, "remarks-group")
    page.get_by_label("Nieuwzględniona").check()
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    page.get_by_text("Uzasadnienie nie może być puste.").wait_for()
    page.get_by_label("Nieuwzględniona").check()
    field(page, "Uzasadnienie").fill("Park zamyka się nocą ze względów bezpieczeństwa.")
    page.get_by_role("button", name="Zapisz odpowiedź").click()
    page.get_by_text("oczekuje na zatwierdzenie przez drugą osobę").wait_for()
    assert page.get_by_role("button", name="Zatwierdź odpowiedź").count() == 0
    assert_accessible(page, "remarks-group-drafted")
    check_narrow(page, "remarks-group-drafted")
    page.get_by_role("button", name="Wyloguj się").click()

    sign_in(page, live_stack, tenant_a.host, colleague_email)
    page.goto(live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/"))
    page.get_by_role("link", name="Godziny otwarcia parku").first.click()
    page.get_by_role("button", name="Zatwierdź odpowiedź").click()
    page.get_by_text("Odpowiedź została zatwierdzona i jest publiczna.").wait_for()

    page.goto(
        live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/uwagi/rozpatrzenie/")
    )
    page.get_by_role("heading", name="Uwagi i ich rozpatrzenie").wait_for()
    assert page.get_by_text("Park zamyka się nocą ze względów bezpieczeństwa.").count() == 2
    assert_accessible(page, "remarks-public-list")
    check_narrow(page, "remarks-public-list")


def test_a_moderator_hides_a_comment_with_a_reason(page, live_stack, committed_db, tenant_a):
    from allauth.account.models import EmailAddress

    from remarks import services

    moderator_email = unique("moder") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=moderator_email, password=PASSWORD, role="moderator")
        consultation = open_consultation(kinds=("remarks", "paragraph_comments"))
        form_settings(consultation, "paragraph_comments", name_required=False)
        unit = DraftUnit.objects.create(
            consultation=consultation, position=1, label="§ 1", text="Park jest otwarty."
        )
        resident = user_create(email=unique("m") + "@example.pl", password=PASSWORD)
        EmailAddress.objects.update_or_create(
            user=resident, email=resident.email, defaults={"verified": True, "primary": True}
        )
        comment = services.remark_submit(
            consultation_id=consultation.pk,
            data=services.RemarkInput(justification="Sąsiad z nr 5 to złodziej", unit_id=unit.pk),
            idempotency_key=uuid.uuid4(),
            consent=True,
            user=resident,
        ).remark

    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/projekt/"))
    page.get_by_role("heading", name="Projekt i komentarze").wait_for()
    assert_accessible(page, "remarks-draft")
    check_narrow(page, "remarks-draft")

    sign_in(page, live_stack, tenant_a.host, moderator_email)
    page.goto(
        live_stack.url(tenant_a.host, f"/panel/konsultacje/{consultation.pk}/uwagi/{comment.pk}/")
    )
    field(page, "Powód widoczny dla wszystkich").fill("zawiera pomówienie")
    page.get_by_role("button", name="Ukryj przed publicznością").click()
    page.get_by_text(re.compile("Tekst został ukryty")).wait_for()
    assert_accessible(page, "remarks-moderated")
    page.goto(live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/projekt/"))
    page.get_by_text("Ukryte przez moderatora: zawiera pomówienie").wait_for()
    assert page.get_by_text("złodziej").count() == 0
