"""Sign-up, confirmation, sign-in and the resident's own pages through Django's test client."""

import json
import random

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from tests.conftest import PASSWORD, force_login, unique


def client_for(host: str) -> Client:
    # A distinct address per client: sign-up is rate-limited per IP address.
    return Client(
        HTTP_HOST=host, REMOTE_ADDR=f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.1"
    )


def signup(client: Client, email: str, **extra: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "terms": "on"}
    data.update(extra)
    return client.post("/konto/signup/", data)


@pytest.mark.django_db
def test_a_resident_signs_up_with_consent_and_must_confirm_the_address(tenant_a):
    # given
    client = client_for(tenant_a.host)
    email = unique("mieszkaniec") + "@a.test"
    # when
    response = signup(client, email)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/konto/confirm-email/"
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(email=email)
        assert user.terms_accepted_at is not None
        assert user.role == ""
        assert not EmailAddress.objects.get(user=user).verified
        assert EmailConfirmation.objects.filter(email_address__user=user).exists()
    # and signing in before confirming leads back to the confirmation notice
    response = client_for(tenant_a.host).post(
        "/konto/login/", {"login": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/konto/confirm-email/"


@pytest.mark.django_db
def test_sign_up_without_the_consent_is_refused_in_polish(tenant_a):
    email = unique("bez") + "@a.test"
    response = signup(client_for(tenant_a.host), email, terms="")
    assert response.status_code == 200
    assert "Aby założyć konto, prosimy zaznaczyć zgodę." in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not User.objects.filter(email=email).exists()


@pytest.mark.django_db
def test_the_sign_up_form_links_the_privacy_notice_and_nothing_is_pre_ticked(tenant_a):
    body = client_for(tenant_a.host).get("/konto/signup/").content.decode()
    assert 'href="/polityka-prywatnosci/"' in body
    assert 'name="terms"' in body
    assert "checked" not in body


@pytest.mark.django_db
def test_sign_up_is_closed_on_the_apex_domain():
    client = Client(HTTP_HOST="localhost")
    email = unique("apex") + "@konsulta.test"
    response = signup(client, email)
    assert response.status_code == 200
    assert "Rejestracja jest zamknięta" in response.content.decode()
    assert not User.objects.filter(email=email).exists()


@pytest.mark.django_db
def test_opening_the_confirmation_link_confirms_nothing_until_the_button(tenant_a):
    client = client_for(tenant_a.host)
    email = unique("potw") + "@a.test"
    signup(client, email)
    with schema_context(tenant_a.schema_name):
        key = EmailConfirmation.objects.get(email_address__email=email).key
    # a mail client pre-fetching the link
    for _ in range(2):
        response = client_for(tenant_a.host).get(f"/konto/confirm-email/{key}/")
        assert response.status_code == 200
        assert "Potwierdź adres" in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not EmailAddress.objects.get(email=email).verified
    # the resident pressing the button
    response = client_for(tenant_a.host).post(f"/konto/confirm-email/{key}/")
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert EmailAddress.objects.get(email=email).verified
    signed_in = client_for(tenant_a.host).post(
        "/konto/login/", {"login": email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/"


@pytest.mark.django_db
def test_the_profile_page_saves_the_display_name(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("prof") + "@a.test", password=PASSWORD)
    client = client_for(tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    page = client.get("/konto/profil/")
    assert user.email in page.content.decode()
    response = client.post("/konto/profil/", {"display_name": "Ania", "first_name": ""})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=user.pk).display_name == "Ania"


@pytest.mark.django_db
def test_the_data_download_is_a_json_file_of_the_signed_in_person(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("dane") + "@a.test", password=PASSWORD)
    client = client_for(tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    response = client.get("/konto/moje-dane/pobierz/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="moje-dane-')
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/konto/profil/", "/konto/moje-dane/", "/konto/moje-dane/pobierz/", "/konto/usun/"]
)
def test_own_account_pages_ask_anonymous_visitors_to_sign_in(tenant_a, path):
    response = client_for(tenant_a.host).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


@pytest.mark.django_db
def test_a_deleted_resident_cannot_sign_in_again(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("usun") + "@a.test", password=PASSWORD)
    client = client_for(tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    # a wrong password changes nothing
    wrong = client.post("/konto/usun/", {"password": "zle-haslo-123"})
    assert wrong.status_code == 200
    assert "Hasło jest nieprawidłowe." in wrong.content.decode()
    # the right one deletes and signs out
    response = client.post("/konto/usun/", {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/konto/profil/").status_code == 302
    again = client_for(tenant_a.host).post(
        "/konto/login/", {"login": user.email, "password": PASSWORD}
    )
    assert again.status_code == 200
    assert again.context["form"].errors


@pytest.mark.django_db
def test_the_privacy_notice_names_the_municipality_as_controller(tenant_a):
    body = client_for(tenant_a.host).get("/polityka-prywatnosci/").content.decode()
    assert (
        f"Administratorem Państwa danych osobowych przetwarzanych w tym serwisie konsultacji jest {tenant_a.name}"
        in body
    )


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_address(tenant_a):
    client = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR="192.0.2.77")
    statuses = [signup(client, unique("rl") + "@a.test").status_code for _ in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
