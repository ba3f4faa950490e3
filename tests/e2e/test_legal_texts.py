"""The legal texts in Chromium, in Polish, with WCAG 2.1 AA checked: an administrator sees
what the privacy notice and the accessibility statement still lack, is refused a bad
address, completes both; a resident on a 390 px phone reads them from the footer; the
provider's own texts are on the apex."""

from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import SiteSettings
from consultations.selectors import SITE_SETTINGS_CACHE_KEY
from consultations.services.legal import ACCESSIBILITY_FIELDS, PRIVACY_FIELDS
from tests.conftest import PASSWORD, assert_accessible, unique
from tests.e2e.test_consultation_journeys import sign_in

pytestmark = pytest.mark.browser


def _reset(schema_name: str) -> None:
    """Municipality A's legal texts back to empty: other tests read its defaults."""
    with schema_context(schema_name):
        blank = {name: "" for name in PRIVACY_FIELDS + ACCESSIBILITY_FIELDS}
        blank.update(
            a11y_published_on=None,
            a11y_updated_on=None,
            a11y_prepared_on=None,
            a11y_reviewed_on=None,
            a11y_assessment="self",
            privacy_updated_at=None,
        )
        SiteSettings.objects.filter(pk=1).update(**blank)
        cache.delete(SITE_SETTINGS_CACHE_KEY)


@pytest.fixture
def blank_texts(tenant_a):
    _reset(tenant_a.schema_name)
    yield
    _reset(tenant_a.schema_name)


def test_an_admin_completes_both_texts_and_a_resident_reads_them(
    page, browser, live_stack, committed_db, tenant_a, blank_texts
):
    email = unique("admin-prawne-") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD, role="admin")
    sign_in(page, live_stack, tenant_a.host, email)

    # The privacy notice: two gaps listed; a bad address is refused in Polish.
    legal = page.locator("section[aria-labelledby=card-legal]")
    legal.get_by_role("link", name="Informacja o przetwarzaniu danych osobowych").click()
    gaps = page.locator("#gaps-heading")
    assert gaps.inner_text() == "Do uzupełnienia pozostały 2 pozycje"
    assert "adres e-mail inspektora ochrony danych" in page.locator("ul.gaps").inner_text()
    assert_accessible(page, "legal-privacy-panel")
    page.get_by_label("Adres pocztowy administratora").fill("ul. Rynek 1, 74-400 Dębno")
    page.get_by_label("Adres e-mail inspektora ochrony danych").fill("iod@@gmina")
    page.get_by_role("button", name="Zapisz informację o przetwarzaniu danych").click()
    page.get_by_text("Proszę podać poprawny adres e-mail.").wait_for()
    assert_accessible(page, "legal-privacy-error")
    page.get_by_label("Adres e-mail inspektora ochrony danych").fill("iod@testowa-a.test")
    page.get_by_role("button", name="Zapisz informację o przetwarzaniu danych").click()
    page.get_by_text("Informacja o przetwarzaniu danych osobowych została zapisana.").wait_for()
    page.get_by_text("Niczego nie brakuje").wait_for()

    # The accessibility statement: saving it records today's review.
    page.goto(live_stack.url(tenant_a.host, "/panel/ustawienia/deklaracja-dostepnosci/"))
    assert "Do uzupełnienia pozostały 4 pozycje" in page.locator("#gaps-heading").inner_text()
    assert page.get_by_label("częściowo zgodna").is_checked()
    assert_accessible(page, "legal-accessibility-panel")
    page.get_by_label("Osoba odpowiedzialna za dostępność").fill("Anna Nowak")
    page.get_by_label("Telefon w sprawach dostępności").fill("95 760 20 01")
    page.get_by_label("Dostępność architektoniczna urzędu").fill(
        "Wejście od ul. Rynek ma podjazd; winda do sali sesyjnej."
    )
    page.get_by_role("button", name="Zapisz i odnotuj przegląd").click()
    page.get_by_text("Deklaracja dostępności została zapisana").wait_for()
    page.get_by_text("Niczego nie brakuje").wait_for()
    today = timezone.localdate().isoformat()

    # A resident on a phone reads both from the footer of the home page.
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(15000)
    try:
        phone.goto(live_stack.url(tenant_a.host, "/"))
        footer = phone.get_by_role("contentinfo")
        footer.get_by_role("link", name="Deklaracja dostępności").click()
        phone.get_by_role("heading", name="Deklaracja dostępności", level=1).wait_for()
        assert phone.locator("#a11y-osoba").inner_text() == "Anna Nowak"
        assert phone.locator("#a11y-data-przeglad").inner_text() == today
        assert "częściowo zgodna" in phone.locator("#a11y-status").inner_text()
        assert "do uzupełnienia przez urząd" not in phone.locator("main").inner_text()
        assert_accessible(phone, "legal-accessibility-390")
        phone.get_by_role("contentinfo").get_by_role(
            "link", name="Informacja o przetwarzaniu danych osobowych"
        ).click()
        phone.get_by_role("heading", name="Inspektor ochrony danych").wait_for()
        main = phone.locator("main").inner_text()
        assert "iod@testowa-a.test" in main and "ul. Rynek 1, 74-400 Dębno" in main
        assert "Prezesa Urzędu Ochrony Danych Osobowych" in main
        assert "do uzupełnienia przez urząd" not in main
        assert_accessible(phone, "legal-privacy-390")

        # The provider's own texts, from the apex's footer.
        phone.goto(live_stack.url("localhost", "/"))
        phone.get_by_role("contentinfo").get_by_role(
            "link", name="Informacja o przetwarzaniu danych osobowych"
        ).click()
        phone.get_by_role("heading", name="Administrator danych").wait_for()
        assert_accessible(phone, "legal-provider-privacy-390")
        phone.get_by_role("contentinfo").get_by_role("link", name="Deklaracja dostępności").click()
        phone.locator("#a11y-kontakt").wait_for()
        assert_accessible(phone, "legal-provider-accessibility-390")
    finally:
        context.close()
    with schema_context(tenant_a.schema_name):
        row = SiteSettings.objects.get(pk=1)
        assert row.a11y_reviewed_on == date.fromisoformat(today)
