"""The provider's panel of one municipality: links from the home page, the municipality's
consultations (read inside its schema), orders and staff, editing its details, resending the
first administrator's invitation, and a suspension that says what it interrupts."""

import re

import pytest
from django.db import InternalError
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Invitation
from accounts.services import token_hash, user_create
from consultations.models import Consultation, Department
from consultations.selectors import consultations_for_provider
from consultations.services import consultation_create, consultation_order
from tenants.models import Municipality, MunicipalityEvent
from tenants.selectors import schema_read_only
from tests.conftest import PASSWORD, force_login, unique
from tests.consultations.factories import complete_input, consultation_in_state


@pytest.fixture
def operator():
    return user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)


@pytest.fixture
def provider_client(operator):
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


def ordered_consultation(schema_name: str, title: str) -> int:
    """A consultation taken to "ordered" by the consultations app's own services."""
    with schema_context(schema_name):
        admin = user_create(email=unique("adm") + "@urzad.test", password=PASSWORD, role="admin")
        department = Department.objects.create(name=unique("Wydział "))
        consultation = consultation_create(
            acting_user=admin, data=complete_input(department, title=title)
        )
        consultation_order(acting_user=admin, consultation_id=consultation.pk)
        return consultation.pk


@pytest.mark.django_db
def test_the_provider_home_links_to_the_price_list_orders_and_revenue(provider_client):
    page = provider_client.get("/operator/").content.decode()
    for path in ("/operator/cennik/", "/operator/zamowienia/", "/operator/przychody/"):
        assert f'href="{path}"' in page, path


@pytest.mark.django_db
def test_a_municipalitys_page_lists_its_consultations_orders_and_staff(
    provider_client, tenant_a, tenant_b
):
    # given: a consultation, an order and a staff member in A; a consultation in B
    from billing.services import order_place
    from tests.billing.conftest import invoice_data_enter, orderer_make

    title_a = unique("Park nad Wartą ")
    title_b = unique("Rynek w B ")
    consultation_id = ordered_consultation(tenant_a.schema_name, title_a)
    ordered_consultation(tenant_b.schema_name, title_b)
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    order = order_place(
        municipality=municipality,
        consultation_id=consultation_id,
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer_make(tenant_a.schema_name),
    )
    with schema_context(tenant_a.schema_name):
        moderator = user_create(
            email=unique("mod") + "@a.test", password=PASSWORD, role="moderator"
        )
    # when
    page = provider_client.get(f"/operator/gminy/{tenant_a.pk}/").content.decode()
    # then
    assert title_a in page
    assert title_b not in page
    assert order.number in page
    assert moderator.email in page
    assert f'href="/operator/gminy/{tenant_a.pk}/edycja/"' in page


@pytest.mark.django_db
def test_the_consultations_are_read_in_the_municipalitys_own_schema(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        only_in_b = consultation_in_state("draft", title=unique("Tylko w B "))
    titles_a = [
        c["title"]
        for c in consultations_for_provider(municipality=Municipality.objects.get(pk=tenant_a.pk))[
            "consultations"
        ]
    ]
    titles_b = [
        c["title"]
        for c in consultations_for_provider(municipality=Municipality.objects.get(pk=tenant_b.pk))[
            "consultations"
        ]
    ]
    assert only_in_b.title in titles_b
    assert only_in_b.title not in titles_a


@pytest.mark.django_db
def test_the_provider_reads_a_schema_without_being_able_to_write_in_it(tenant_a):
    name = unique("Wydział tylko do odczytu ")
    with pytest.raises(InternalError, match="read-only"), schema_read_only(tenant_a.schema_name):
        Department.objects.create(name=name)
    # The connection is usable again and writes where it was before.
    with schema_context(tenant_a.schema_name):
        assert not Department.objects.filter(name=name).exists()
        Department.objects.create(name=name)
        assert Department.objects.filter(name=name).exists()


@pytest.mark.django_db
def test_the_provider_edits_the_details_and_the_log_says_who(provider_client, operator, tenant_a):
    response = provider_client.post(
        f"/operator/gminy/{tenant_a.pk}/edycja/",
        {
            "name": "Miasto Testowe A",
            "kind": "miasto",
            "teryt": "3207023",
            "nip": Municipality.objects.get(pk=tenant_a.pk).nip,
            "contact_email": "sekretariat@test-a.test",
        },
    )
    assert response.status_code == 302
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    assert (municipality.name, municipality.kind, municipality.contact_email) == (
        "Miasto Testowe A",
        "miasto",
        "sekretariat@test-a.test",
    )
    event = municipality.events.first()
    assert (event.action, event.acting_user) == ("updated", operator)


@pytest.mark.django_db
def test_a_wrong_nip_in_the_details_is_explained_and_nothing_changes(provider_client, tenant_a):
    before = Municipality.objects.get(pk=tenant_a.pk)
    response = provider_client.post(
        f"/operator/gminy/{tenant_a.pk}/edycja/",
        {
            "name": "Inna nazwa",
            "kind": "gmina",
            "teryt": "3207023",
            "nip": "123-456-78-91",
            "contact_email": "x@test-a.test",
        },
    )
    assert response.status_code == 200
    assert "prawidłowy NIP" in response.content.decode()
    after = Municipality.objects.get(pk=tenant_a.pk)
    assert (after.name, after.contact_email) == (before.name, before.contact_email)


@pytest.mark.django_db
def test_resending_the_first_admins_invitation_replaces_the_link(provider_client, tenant_a):
    # given: the first administrator's invitation, still pending, with a known link
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    email = municipality.first_admin_email
    with schema_context(tenant_a.schema_name):
        invitation = Invitation.objects.get(email=email, accepted_at__isnull=True)
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash("stary-link"))
    # when
    response = provider_client.post(f"/operator/gminy/{tenant_a.pk}/zaproszenie/")
    # then
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        renewed = Invitation.objects.get(pk=invitation.pk)
    assert renewed.token_hash != token_hash("stary-link")
    assert renewed.accepted_at is None
    assert municipality.events.filter(action="invitation_resent").exists()


@pytest.mark.django_db
def test_suspending_names_the_running_consultations_and_waits_for_a_confirmation(
    provider_client, tenant_a
):
    # given: one open, one scheduled and one draft consultation more than before
    with schema_context(tenant_a.schema_name):
        running_before = Consultation.objects.filter(status__in=["open", "scheduled"]).count()
        consultation_in_state("open")
        consultation_in_state("scheduled")
        consultation_in_state("draft")
    expected = running_before + 2
    # when: the provider presses "Suspend"
    response = provider_client.post(
        f"/operator/gminy/{tenant_a.pk}/status/", {"status": "suspended", "reason": "Zaległość"}
    )
    # then: a page says how many are running, and nothing has changed yet
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    assert re.search(rf"\b{expected} konsultac\w+ (jest|są) zaplanowan\w+ lub trwa", text), text
    assert Municipality.objects.get(pk=tenant_a.pk).status == "active"
    # and only the confirmation suspends
    response = provider_client.post(
        f"/operator/gminy/{tenant_a.pk}/status/",
        {"status": "suspended", "reason": "Zaległość", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert Municipality.objects.get(pk=tenant_a.pk).status == "suspended"
    assert MunicipalityEvent.objects.filter(
        municipality_id=tenant_a.pk, action="suspended"
    ).exists()
