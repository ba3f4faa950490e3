import pytest
from django.test import Client

from accounts.models import User
from accounts.services import user_create
from tenants.models import Municipality
from tests.conftest import PASSWORD, force_login, nip_make, unique


@pytest.fixture
def provider_client():
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


@pytest.mark.django_db
def test_the_provider_panel_asks_anonymous_visitors_to_sign_in():
    response = Client(HTTP_HOST="localhost").get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


@pytest.mark.django_db
def test_a_signed_in_non_staff_account_gets_a_404():
    user = user_create(email=unique("x") + "@konsulta.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    force_login(client, user, "public")
    assert client.get("/operator/").status_code == 404


@pytest.mark.django_db
def test_sign_up_is_closed_on_the_apex_domain():
    response = Client(HTTP_HOST="localhost").post(
        "/konto/signup/",
        {"email": "ktos@konsulta.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="ktos@konsulta.test").exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_creating_a_municipality_redirects_to_its_page(
    provider_client, django_capture_on_commit_callbacks
):
    subdomain = unique("nowa-")
    with django_capture_on_commit_callbacks() as callbacks:
        response = provider_client.post(
            "/operator/gminy/nowa/",
            {
                "name": "Gmina Nowa",
                "kind": "gmina",
                "teryt": "3207023",
                "nip": nip_make(),
                "contact_email": "kontakt@nowa.test",
                "subdomain": subdomain,
                "custom_domain": "",
                "admin_email": "admin@nowa.test",
            },
        )
    municipality = Municipality.objects.get(schema_name="m_" + subdomain.replace("-", "_"))
    assert response.status_code == 302
    assert response["Location"] == f"/operator/gminy/{municipality.pk}/"
    assert len(callbacks) == 1  # the provisioning task, queued after commit
    page = provider_client.get(response["Location"]).content.decode()
    assert "Gmina Nowa" in page
    assert f"{subdomain}.localhost" in page


@pytest.mark.django_db
def test_the_create_form_shows_errors_in_polish_and_saves_nothing(provider_client):
    before = Municipality.objects.count()
    response = provider_client.post(
        "/operator/gminy/nowa/",
        {
            "name": "Gmina Zła",
            "kind": "gmina",
            "teryt": "99",
            "nip": "1234567890",
            "contact_email": "nie-email",
            "subdomain": "www",
            "admin_email": "admin@zla.test",
        },
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Popraw" in body or "popraw" in body
    assert Municipality.objects.count() == before


@pytest.mark.django_db
def test_the_list_filters_by_status_and_name(provider_client, tenant_a, tenant_b):
    Municipality.objects.filter(pk=tenant_b.pk).update(status="suspended")
    body = provider_client.get("/operator/?status=suspended").content.decode()
    assert tenant_b.name in body and tenant_a.name not in body
    body = provider_client.get("/operator/?q=Testowa A").content.decode()
    assert tenant_a.name in body and tenant_b.name not in body


@pytest.mark.django_db
def test_an_illegal_status_change_shows_a_message_and_changes_nothing(provider_client, tenant_a):
    Municipality.objects.filter(pk=tenant_a.pk).update(status="provisioning")
    response = provider_client.post(
        f"/operator/gminy/{tenant_a.pk}/status/", {"status": "suspended"}, follow=True
    )
    assert Municipality.objects.get(pk=tenant_a.pk).status == "provisioning"
    assert next(iter(response.context["messages"])).level_tag == "error"
