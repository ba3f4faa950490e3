"""Every list of names is in Polish alphabetical order (issue 15): "Lipowa" before
"Łagiewniki", "Śródmieście" before "Tysiąclecie", "Żabieniec" after "Zawodzie". The database
is created with the C.UTF-8 locale, whose byte order puts every letter with a diacritic
after "z": without a Polish collation these lists come out wrong."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from consultations.models import Area, Category, Department
from tenants.models import Municipality
from tests.conftest import PASSWORD, force_login, nip_make, unique

# The Polish alphabet: a ą b c ć d e ę f g h i j k l ł m n ń o ó p q r s ś t u v w x y z ź ż.
POLISH_ORDER = ["Lipowa", "Łagiewniki", "Śródmieście", "Tysiąclecie", "Zawodzie", "Żabieniec"]


def names(tag: str) -> list[str]:
    return [f"{name} {tag}" for name in POLISH_ORDER]


def in_page_order(page: str, wanted: list[str]) -> list[str]:
    return sorted(wanted, key=page.index)


def created_shuffled(model: type, tag: str) -> list[str]:
    wanted = names(tag)
    for name in reversed(wanted):  # stored in the wrong order on purpose
        model.objects.create(name=name)
    return wanted


@pytest.fixture
def admin_client(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = user_create(email=unique("adm") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Department, "/panel/wydzialy/"),
        (Area, "/panel/obszary/"),
        (Category, "/panel/kategorie/"),
    ],
)
def test_the_panels_catalogue_lists_are_in_polish_order(admin_client, tenant_a, model, path):
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        wanted = created_shuffled(model, tag)
    page = admin_client.get(path).content.decode()
    assert in_page_order(page, wanted) == wanted


@pytest.mark.django_db
def test_the_subscription_forms_areas_are_in_polish_order(tenant_a):
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        wanted = created_shuffled(Area, tag)
    page = Client(HTTP_HOST=tenant_a.host).get("/subskrypcje/").content.decode()
    assert in_page_order(page, wanted) == wanted


@pytest.mark.django_db
def test_the_consultation_forms_departments_are_in_polish_order(admin_client, tenant_a):
    tag = unique("")
    with schema_context(tenant_a.schema_name):
        wanted = created_shuffled(Department, tag)
    page = admin_client.get("/panel/konsultacje/nowa/").content.decode()
    assert in_page_order(page, wanted) == wanted


@pytest.mark.django_db
def test_the_providers_list_of_municipalities_is_in_polish_order():
    tag = unique("")
    wanted = [f"Gmina {name} {tag}" for name in POLISH_ORDER]
    for index, name in enumerate(reversed(wanted)):
        Municipality.objects.create(
            name=name, kind="gmina", nip=nip_make(), schema_name=f"m_sort_{tag}_{index}"
        )
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    page = client.get("/operator/").content.decode()
    assert in_page_order(page, wanted) == wanted
