"""The onboarding journey in Chromium, in Polish, with WCAG 2.1 AA checked on every page."""

import re

import pytest

from accounts.services import user_create
from tests.conftest import PASSWORD, assert_accessible, unique

pytestmark = pytest.mark.browser


@pytest.fixture
def operator(committed_db):
    return user_create(
        email=unique("operator") + "@konsulta.test", password=PASSWORD, is_staff=True
    )


def provider_sign_in(page, live_stack, operator):
    page.goto(live_stack.url("localhost", "/operator/"))
    assert "/konto/login/" in page.url
    assert_accessible(page, "provider-login")
    page.get_by_label(re.compile("e-mail", re.I)).fill(operator.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Gminy").wait_for()


def test_provider_onboards_a_municipality_and_its_admin_lands_in_it(page, live_stack, operator):
    subdomain = unique("gm-")
    admin_email = f"sekretarz@{subdomain}.test"

    # The provider signs in on the apex domain and opens the form.
    provider_sign_in(page, live_stack, operator)
    assert_accessible(page, "provider-list")
    page.get_by_role("link", name="Dodaj gminę").click()
    assert_accessible(page, "provider-create-form")

    # A wrong NIP is explained in Polish and nothing is created.
    page.get_by_label("Nazwa").fill("Gmina Zielona Dolina")
    page.get_by_label("Rodzaj jednostki").select_option("gmina")
    page.get_by_label("Kod TERYT").fill("3207023")
    page.get_by_label("NIP").fill("123-456-78-91")
    page.get_by_label("E-mail kontaktowy").fill("kontakt@zielona.test")
    page.get_by_label("Subdomena").fill(subdomain)
    page.get_by_label(re.compile("E-mail pierwszego administratora")).fill(admin_email)
    page.get_by_role("button", name="Utwórz gminę").click()
    page.get_by_text(re.compile("Prosimy podać prawidłowy NIP")).wait_for()
    assert_accessible(page, "provider-create-form-errors")

    # With a valid NIP the municipality is created and shows as being prepared.
    page.get_by_label("NIP").fill("597-164-60-03")
    page.get_by_role("button", name="Utwórz gminę").click()
    page.get_by_role("heading", name="Gmina Zielona Dolina").wait_for()
    assert_accessible(page, "provider-detail")

    # The worker clones the template schema; the page shows it active after a refresh.
    for _ in range(60):
        if page.locator("#status").inner_text() == "Aktywna":
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator("#status").inner_text() == "Aktywna"

    # The invited administrator opens the link from the e-mail on the new subdomain.
    mail = live_stack.wait_for_mail(admin_email)
    assert "Gmina Zielona Dolina" in mail
    link = re.search(r"http://\S+/zaproszenie/\S+/", mail).group(0)
    assert link.startswith(f"http://{subdomain}.localhost:{live_stack.port}/")
    page.goto(link)
    page.get_by_role("heading", name="Ustaw hasło").wait_for()
    assert_accessible(page, "invitation-accept")
    page.get_by_label("Nowe hasło").fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Ustaw hasło i zaloguj")).click()

    # They land in the municipality's staff panel, signed in.
    page.get_by_role("heading", name="Panel urzędu").wait_for()
    assert page.url == f"http://{subdomain}.localhost:{live_stack.port}/panel/"
    assert admin_email in page.content()
    assert_accessible(page, "staff-panel")

    # The link is now used up.
    page.goto(link)
    page.get_by_role("heading", name=re.compile("nieaktualny|nieważny", re.I)).wait_for()


def test_admin_brands_the_site_and_residents_see_it(page, live_stack, committed_db, tenant_a):
    from django_tenants.utils import schema_context

    email = unique("adm") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD, role="admin")

    page.goto(live_stack.url(tenant_a.host, "/konto/login/"))
    assert_accessible(page, "tenant-login")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Panel urzędu").wait_for()
    page.get_by_role("link", name="Zmień ustawienia serwisu").click()
    assert_accessible(page, "site-settings")

    # Too light a colour is refused with a reason.
    page.get_by_label("Kolor główny").fill("#ffee88")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text(re.compile("zbyt jasny")).wait_for()
    assert_accessible(page, "site-settings-error")

    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 48), (160, 20, 20)).save(buffer, format="PNG")
    page.get_by_label("Kolor główny").fill("#7a1010")
    page.get_by_label(re.compile(r"^Herb:?$")).set_input_files(
        files=[{"name": "herb.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    page.get_by_label("Hasło przewodnie").fill("Gmina, która słucha")
    page.get_by_role("button", name="Zapisz").click()
    page.get_by_text("Ustawienia zostały zapisane.").wait_for()

    # A resident (a new browser context, not signed in) sees the branded home page.
    context = page.context.browser.new_context(locale="pl-PL")
    resident = context.new_page()
    resident.goto(live_stack.url(tenant_a.host))
    resident.get_by_role("heading", name=re.compile("Konsultacje społeczne")).wait_for()
    assert "Gmina, która słucha" in resident.content()
    header_colour = resident.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header_colour == "rgb(122, 16, 16)"
    coat = resident.locator("img.coat-of-arms")
    assert coat.evaluate("img => img.naturalWidth") == 40
    assert_accessible(resident, "resident-home")
    context.close()


def test_suspended_and_unknown_sites_show_clear_pages(page, live_stack, committed_db, operator):
    from tests.conftest import tenant_make

    info = tenant_make(unique("zaw-"), "Gmina Zawieszona")
    provider_sign_in(page, live_stack, operator)
    page.goto(live_stack.url("localhost", f"/operator/gminy/{info.pk}/"))
    page.get_by_label("Powód (opcjonalnie)").fill("Zaległa płatność")
    page.get_by_role("button", name="Zawieś").click()
    # The provider is told what a suspension interrupts and asked to confirm.
    page.get_by_role("heading", name=re.compile("Czy zawiesić serwis")).wait_for()
    assert page.get_by_text(re.compile(r"^0 konsultacji jest zaplanowanych lub trwa")).is_visible()
    assert_accessible(page, "provider-suspend-confirm")
    page.get_by_role("button", name="Tak, zawieś serwis").click()
    page.get_by_text("Status został zmieniony.").wait_for()
    assert page.locator("#status").inner_text() == "Zawieszona"

    response = page.goto(live_stack.url(info.host))
    assert response.status == 503
    page.get_by_role("heading", name=re.compile("czasowo niedostępny")).wait_for()
    assert_accessible(page, "suspended-site", municipality_site=False)

    response = page.goto(live_stack.url("nie-ma-takiej.localhost"))
    assert response.status == 404
    page.get_by_role("heading", name=re.compile("Nie znaleziono")).wait_for()
    assert_accessible(page, "unknown-host", municipality_site=False)
