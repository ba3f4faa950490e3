"""Who may order, pay for and cancel a consultation: billing asks consultations' own
predicate for the consultation concerned, on every order action, in views and services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_tenants.utils import schema_context

from billing import services
from billing.models import Order, OrderStatus
from tests.billing.conftest import consultation_make
from tests.conftest import force_login
from tests.consultations.factories import department_make, staff_make


def client_as(tenant, user) -> Client:
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, user, tenant.schema_name)
    return client


def in_department(schema_name: str, consultation_id: int, department) -> None:
    from consultations.models import Consultation

    with schema_context(schema_name):
        Consultation.objects.filter(pk=consultation_id).update(department=department)


@pytest.fixture
def two_departments(tenant_a):
    """An admin, a coordinator of "ours", and a consultation in each of two departments."""
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        coordinator = staff_make("coordinator")
        ours = department_make(coordinators=(coordinator,))
        theirs = department_make()
    mine = consultation_make(tenant_a.schema_name, title="Nasza")
    other = consultation_make(tenant_a.schema_name, title="Cudza")
    in_department(tenant_a.schema_name, mine, ours)
    in_department(tenant_a.schema_name, other, theirs)
    return admin, coordinator, mine, other


@pytest.mark.django_db
def test_a_coordinator_can_not_order_another_departments_consultation(
    municipality_a, tenant_a, two_departments
):
    _, coordinator, mine, other = two_departments
    client = client_as(tenant_a, coordinator)

    # their own department's consultation: the order page opens
    assert client.get(f"/panel/zamowienia/nowe/{mine}/").status_code == 200
    # another department's: not found, and posting places nothing
    assert client.get(f"/panel/zamowienia/nowe/{other}/").status_code == 404
    response = client.post(f"/panel/zamowienia/nowe/{other}/", {"payment_method": "transfer"})
    assert response.status_code == 404
    assert not Order.objects.filter(municipality=municipality_a, consultation_id=other).exists()
    # nor can the service be made to
    with pytest.raises(PermissionDenied):
        services.order_place(
            municipality=municipality_a,
            consultation_id=other,
            addon_codes=[],
            payment_method="transfer",
            acting_user=coordinator,
        )
    assert not Order.objects.filter(municipality=municipality_a, consultation_id=other).exists()


@pytest.mark.django_db
def test_a_coordinator_can_not_see_pay_cancel_or_refund_another_departments_order(
    localstripe, municipality_a, tenant_a, two_departments
):
    # given a paid order of another department's consultation, placed and paid by the admin
    admin, coordinator, mine, other = two_departments
    theirs = services.order_place(
        municipality=municipality_a,
        consultation_id=other,
        addon_codes=[],
        payment_method="card",
        acting_user=admin,
    )
    unpaid = services.order_place(
        municipality=municipality_a,
        consultation_id=mine,
        addon_codes=[],
        payment_method="card",
        acting_user=admin,
    )
    theirs = services.order_pay_in_test_mode(order_id=theirs.pk, acting_user=admin)
    assert theirs.status == OrderStatus.PAID
    client = client_as(tenant_a, coordinator)

    # when the coordinator of the other department tries every action on it
    for path in ("", "potwierdzenie.pdf"):
        assert client.get(f"/panel/zamowienia/{theirs.pk}/{path}").status_code == 404
    assert client.post(f"/panel/zamowienia/{theirs.pk}/anuluj/").status_code == 404
    assert client.post(f"/panel/zamowienia/{theirs.pk}/zaplac/").status_code == 404
    listing = client.get("/panel/zamowienia/").content.decode()
    with pytest.raises(PermissionDenied):
        services.order_cancel(order_id=theirs.pk, acting_user=coordinator)
    with pytest.raises(PermissionDenied):
        services.order_pay_in_test_mode(order_id=theirs.pk, acting_user=coordinator)

    # then nothing was refunded, and the order is not even listed for them
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PAID
    refunds = localstripe.client().v1.refunds.list(
        params={"payment_intent": theirs.stripe_payment_intent_id}
    )
    assert refunds.data == []
    assert theirs.number not in listing
    # while their own department's order is listed and opens
    assert unpaid.number in listing
    assert client.get(f"/panel/zamowienia/{unpaid.pk}/").status_code == 200
