"""A resident's account journey in Chromium, in Polish, with WCAG 2.1 AA on every page."""

import json
import re

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from tests.conftest import PASSWORD, assert_accessible, unique

pytestmark = pytest.mark.browser


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile(r"^Hasło:?$")).fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


def test_a_resident_signs_up_confirms_downloads_their_data_and_deletes_the_account(
    page, live_stack, committed_db, tenant_a
):
    email = unique("mieszkanka") + "@a.test"

    # Browsing needs no account; the sign-up link is in the header.
    page.goto(live_stack.url(tenant_a.host))
    page.get_by_role("link", name="Załóż konto").first.click()
    page.get_by_role("heading", name="Załóż konto").wait_for()
    assert_accessible(page, "account-signup")

    # Without the consent nothing is created and the reason is given in Polish.
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label(re.compile(r"^Hasło:?$")).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_role("button", name="Załóż konto").click()
    page.get_by_text("Aby założyć konto, prosimy zaznaczyć zgodę.").wait_for()
    assert_accessible(page, "account-signup-errors")

    page.get_by_label(re.compile(r"^Hasło:?$")).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_label(re.compile("akceptuję zasady udziału")).check()
    page.get_by_role("button", name="Załóż konto").click()
    page.get_by_role("heading", name="Prosimy sprawdzić skrzynkę e-mail").wait_for()
    assert_accessible(page, "account-verification-sent")

    # The link from the mail shows a page; only the button confirms.
    mail = live_stack.wait_for_mail(email)
    assert tenant_a.name in mail
    link = re.search(r"http://\S+/konto/confirm-email/\S+/", mail).group(0)
    assert link.startswith(f"http://{tenant_a.host}:{live_stack.port}/")
    page.goto(link)
    page.get_by_role("heading", name="Potwierdź adres e-mail").wait_for()
    assert_accessible(page, "account-confirm-email")
    page.get_by_role("button", name="Potwierdź adres").click()

    # Then the resident signs in.
    page.get_by_role("heading", name="Zaloguj się").wait_for()
    assert_accessible(page, "account-login-after-confirmation")
    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name="Moje konto").click()
    page.get_by_role("heading", name="Moje konto").wait_for()
    assert email in page.content()
    page.get_by_label("Nazwa wyświetlana").fill("Mieszkanka z Dębna")
    page.get_by_role("button", name="Zapisz profil").click()
    page.get_by_text("Profil został zapisany.").wait_for()
    assert_accessible(page, "account-profile")

    # Downloading their data.
    page.get_by_role("link", name="Pobierz swoje dane").click()
    page.get_by_role("heading", name="Państwa dane").wait_for()
    assert_accessible(page, "account-personal-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz swoje dane (JSON)").click()
    data = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert data["account"]["email"] == email
    assert data["account"]["display_name"] == "Mieszkanka z Dębna"
    assert data["account"]["terms_accepted_at"]
    assert data["email_addresses"][0]["verified"] is True

    # Deleting the account: a wrong password first, then the right one.
    page.goto(live_stack.url(tenant_a.host, "/konto/profil/"))
    page.get_by_role("link", name="Usuń konto").click()
    page.get_by_role("heading", name="Usuń konto").wait_for()
    assert_accessible(page, "account-delete")
    page.get_by_label("Obecne hasło").fill("to-nie-jest-haslo")
    page.get_by_role("button", name="Usuń moje konto na zawsze").click()
    page.get_by_text("Hasło jest nieprawidłowe.").wait_for()
    assert_accessible(page, "account-delete-error")
    page.get_by_label("Obecne hasło").fill(PASSWORD)
    page.get_by_role("button", name="Usuń moje konto na zawsze").click()
    page.get_by_text("Państwa konto zostało usunięte.").wait_for()

    # They cannot sign in again, and their address is gone from the municipality's schema.
    page.goto(live_stack.url(tenant_a.host, "/konto/login/"))
    sign_in(page, email, PASSWORD)
    page.locator(".form-errors").wait_for()
    assert_accessible(page, "account-login-refused")
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email__iexact=email).exists()


def test_a_resident_resets_and_changes_the_password_and_signs_out(
    page, live_stack, committed_db, tenant_b
):
    email = unique("haslo") + "@b.test"
    new_password = "Nowe-Haslo-Do-Konsultacji-2026"
    with schema_context(tenant_b.schema_name):
        user_create(email=email, password=PASSWORD)

    page.goto(live_stack.url(tenant_b.host, "/konto/login/"))
    page.get_by_role("link", name="Nie pamiętają Państwo hasła?").click()
    page.get_by_role("heading", name="Ustaw nowe hasło").wait_for()
    assert_accessible(page, "account-password-reset")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_role("button", name="Wyślij link").click()
    page.get_by_role("heading", name="Prosimy sprawdzić skrzynkę e-mail").wait_for()
    assert_accessible(page, "account-password-reset-done")

    mail = live_stack.wait_for_mail(email)
    assert tenant_b.name in mail
    link = re.search(r"http://\S+/konto/password/reset/key/\S+/", mail).group(0)
    assert link.startswith(f"http://{tenant_b.host}:{live_stack.port}/")
    page.goto(link)
    page.get_by_role("heading", name="Ustaw nowe hasło").wait_for()
    assert_accessible(page, "account-password-reset-from-key")
    page.get_by_label(re.compile(r"^Nowe hasło:?$")).fill(new_password)
    page.get_by_label(re.compile(r"Nowe hasło \(ponownie\)|Powtórz")).fill(new_password)
    page.get_by_role("button", name="Ustaw hasło").click()
    page.get_by_role("heading", name="Hasło zostało zmienione").wait_for()
    assert_accessible(page, "account-password-reset-from-key-done")

    # The used link is now refused with a clear page.
    page.goto(link)
    page.get_by_role("heading", name="Link jest nieważny").wait_for()
    assert_accessible(page, "account-password-reset-bad-link")

    page.goto(live_stack.url(tenant_b.host, "/konto/login/"))
    sign_in(page, email, new_password)
    page.goto(live_stack.url(tenant_b.host, "/konto/profil/"))
    page.get_by_role("link", name="Zmień hasło").click()
    page.get_by_role("heading", name="Zmień hasło").wait_for()
    assert_accessible(page, "account-password-change")
    page.get_by_label("Obecne hasło").fill(new_password)
    page.get_by_label(re.compile(r"^Nowe hasło:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Nowe hasło \(ponownie\)|Powtórz")).fill(PASSWORD)
    page.get_by_role("button", name="Zmień hasło").click()
    page.locator(".messages").wait_for()

    page.goto(live_stack.url(tenant_b.host, "/konto/logout/"))
    page.get_by_role("heading", name="Wyloguj się").wait_for()
    assert_accessible(page, "account-logout")
    page.get_by_role("main").get_by_role("button", name="Wyloguj się").click()
    page.get_by_role("link", name="Zaloguj się").wait_for()

    page.goto(live_stack.url(tenant_b.host, "/polityka-prywatnosci/"))
    page.get_by_role("heading", name="Informacja o przetwarzaniu danych osobowych").wait_for()
    assert tenant_b.name in page.content()
    assert_accessible(page, "account-privacy-notice")
