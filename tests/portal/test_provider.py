"""The provider creates portals; portal staff post news and feature consultations."""

import pytest
from django.test import Client

from accounts.services import user_create
from portal.models import Portal, PortalFeature, PortalNews
from portal.selectors import portal_hosts_forget
from tenants.services import municipality_create
from tests.conftest import PASSWORD, force_login, nip_make, unique
from tests.portal.test_search import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_client():
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


def form(**overrides):
    data = {
        "name": "Powiat Myśliborski",
        "subdomain": unique("powiat-"),
        "custom_domain": "",
        "primary_colour": "#2b5d34",
        "description": "Konsultacje gmin powiatu.",
        "members": [],
        "staff_emails": "",
    }
    data.update(overrides)
    return data


def test_the_provider_creates_a_portal_with_members_and_staff(provider_client, tenant_a, tenant_b):
    data = form(members=[tenant_a.pk, tenant_b.pk], staff_emails="redakcja@powiat.test")
    response = provider_client.post("/operator/portale/nowy/", data)
    assert response.status_code == 302
    portal = Portal.objects.get(subdomain=data["subdomain"])
    assert set(portal.members.values_list("pk", flat=True)) == {tenant_a.pk, tenant_b.pk}
    assert list(portal.staff.values_list("email", flat=True)) == ["redakcja@powiat.test"]
    # its host is a portal from now on: no municipality may take the subdomain
    portal_hosts_forget()
    with pytest.raises(Exception, match="zajęta"):
        municipality_create(
            name="Gmina X",
            kind="gmina",
            teryt="3207023",
            nip=nip_make(),
            contact_email="",
            subdomain=data["subdomain"],
            admin_email="a@x.test",
            acting_user=None,
            provision_async=False,
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subdomain", "test-a", "zajęta"),
        ("subdomain", "Zła Nazwa", "małe litery"),
        ("custom_domain", "test-a.localhost", "już używana"),
        ("primary_colour", "red", "#1f4e79"),
        ("name", " ", "wymagane"),
        ("staff_emails", "nie-adres", "poprawnym adresem"),
    ],
)
def test_bad_portal_input_is_refused_in_polish_and_nothing_saved(
    provider_client, field, value, message
):
    response = provider_client.post("/operator/portale/nowy/", form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Portal.objects.exists()


def test_anyone_but_the_provider_gets_nothing(tenant_a):
    resident = user_create(email=unique("r") + "@x.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    force_login(client, resident, "public")
    assert client.get("/operator/portale/").status_code == 404
    assert Client(HTTP_HOST="localhost").get("/operator/portale/").status_code == 302


@pytest.fixture
def portal_with_staff(tenant_a, tenant_b):
    portal = Portal.objects.create(name="Metropolia", subdomain=unique("metro-"))
    portal.members.set([tenant_a.pk])
    editor = user_create(email=unique("red") + "@metro.test", password=PASSWORD)
    portal.staff.add(editor)
    portal_hosts_forget()
    client = Client(HTTP_HOST=f"{portal.subdomain}.localhost")
    force_login(client, editor, "public")
    return portal, client


def test_portal_staff_post_news_and_feature_a_members_consultation(
    portal_with_staff, tenant_a, tenant_b
):
    portal, client = portal_with_staff
    own = entry(tenant_a.pk, 501, title="Wyróżniona konsultacja")
    outside = entry(tenant_b.pk, 502, title="Cudza konsultacja")
    # news
    client.post("/panel-portalu/", {"title": "Ruszył portal", "body": "Witamy."})
    assert PortalNews.objects.get(portal=portal).title == "Ruszył portal"
    # a member's consultation may be featured; another's id changes nothing
    client.post("/panel-portalu/wyroznienia/", {"entry": own.pk, "featured": "1"})
    client.post("/panel-portalu/wyroznienia/", {"entry": outside.pk, "featured": "1"})
    client.post("/panel-portalu/wyroznienia/", {"entry": "9" * 40, "featured": "1"})
    assert list(
        PortalFeature.objects.filter(portal=portal).values_list("consultation_id", flat=True)
    ) == [501]
    home = Client(HTTP_HOST=f"{portal.subdomain}.localhost").get("/").content.decode()
    assert "Wyróżnione" in home and "Wyróżniona konsultacja" in home and "Ruszył portal" in home


def test_staff_of_another_portal_and_residents_cannot_edit(portal_with_staff):
    portal, _client = portal_with_staff
    stranger = user_create(email=unique("x") + "@x.test", password=PASSWORD)
    client = Client(HTTP_HOST=f"{portal.subdomain}.localhost")
    force_login(client, stranger, "public")
    assert client.get("/panel-portalu/").status_code == 404
    assert client.post("/panel-portalu/", {"title": "x", "body": "y"}).status_code == 404
    assert not PortalNews.objects.exists()
