"""Billing's pages: who may open them, and what they show."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from billing import services
from billing.models import Order, OrderStatus, PriceItem
from tests.billing.conftest import consultation_make, orderer_make
from tests.conftest import PASSWORD, force_login, unique


def staff_client(tenant, role: str) -> Client:
    with schema_context(tenant.schema_name):
        user = user_create(email=unique(role) + "@gmina.test", password=PASSWORD, role=role)
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, user, tenant.schema_name)
    return client


@pytest.fixture
def operator_client():
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    client = Client(HTTP_HOST="localhost")
    force_login(client, operator, "public")
    return client


@pytest.mark.django_db
def test_the_order_page_shows_net_vat_and_gross_and_places_the_order(
    municipality_a, tenant_a, addons_deliverable
):
    client = staff_client(tenant_a, "admin")
    consultation_id = consultation_make(tenant_a.schema_name, title="Rewitalizacja rynku", days=10)

    page = client.get(f"/panel/zamowienia/nowe/{consultation_id}/?addons=addon-survey")
    html = page.content.decode().replace("\u00a0", " ")
    assert page.status_code == 200
    assert "Rewitalizacja rynku" in html
    for amount in ("1 200,00 zł", "276,00 zł", "1 476,00 zł", "615,00 zł", "2 091,00 zł"):
        assert amount in html
    assert municipality_a.nip in html
    assert Order.objects.filter(consultation_id=consultation_id).count() == 0  # GET saves nothing

    response = client.post(
        f"/panel/zamowienia/nowe/{consultation_id}/",
        {"addons": ["addon-survey"], "payment_method": "transfer"},
    )
    order = Order.objects.get(municipality=municipality_a, consultation_id=consultation_id)
    assert response.status_code == 302
    assert response["Location"] == f"/panel/zamowienia/{order.pk}/"
    assert order.gross_total == 209100


@pytest.mark.django_db
def test_another_municipalitys_order_is_not_found(municipality_a, tenant_a, tenant_b):
    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_make(tenant_a.schema_name),
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer_make(tenant_a.schema_name),
    )
    client_b = staff_client(tenant_b, "admin")
    for path in ("", "potwierdzenie.pdf"):
        assert client_b.get(f"/panel/zamowienia/{order.pk}/{path}").status_code == 404
    assert client_b.post(f"/panel/zamowienia/{order.pk}/anuluj/").status_code == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    # and a consultation id of A means nothing on B's site
    assert (
        client_b.get(f"/panel/zamowienia/nowe/{order.consultation_id + 10_000}/").status_code == 404
    )


@pytest.mark.django_db
def test_a_moderator_can_not_order_and_only_the_admin_edits_invoice_data(tenant_a):
    consultation_id = consultation_make(tenant_a.schema_name)
    moderator = staff_client(tenant_a, "moderator")
    assert moderator.get(f"/panel/zamowienia/nowe/{consultation_id}/").status_code == 404
    assert moderator.get("/panel/zamowienia/").status_code == 404
    coordinator = staff_client(tenant_a, "coordinator")
    assert coordinator.get("/panel/zamowienia/dane-do-faktury/").status_code == 404
    assert (
        staff_client(tenant_a, "admin").get("/panel/zamowienia/dane-do-faktury/").status_code == 200
    )


@pytest.mark.django_db
def test_the_admin_edits_the_invoice_address(tenant_a):
    from billing.models import BillingProfile

    client = staff_client(tenant_a, "admin")
    response = client.post(
        "/panel/zamowienia/dane-do-faktury/",
        {
            "invoice_name": "Gmina Testowa A",
            "street": "ul. Polna 2",
            "postal_code": "00-950",
            "city": "Warszawa",
            "invoice_email": "",
        },
    )
    assert response.status_code == 302
    assert BillingProfile.objects.get(municipality_id=tenant_a.pk).street == "ul. Polna 2"


@pytest.mark.django_db
def test_the_pdf_downloads_from_the_panel(municipality_a, tenant_a):
    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_make(tenant_a.schema_name),
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer_make(tenant_a.schema_name),
    )
    response = staff_client(tenant_a, "admin").get(
        f"/panel/zamowienia/{order.pk}/potwierdzenie.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_provider_pages_need_provider_staff(tenant_a):
    anonymous = Client(HTTP_HOST="localhost")
    for path in ("/operator/cennik/", "/operator/zamowienia/", "/operator/przychody/"):
        assert anonymous.get(path).status_code == 302
    user = user_create(email=unique("x") + "@konsulta.test", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    force_login(client, user, "public")
    assert client.get("/operator/cennik/").status_code == 404
    # the provider's pages don't exist on a municipality's host
    assert staff_client(tenant_a, "admin").get("/operator/cennik/").status_code == 404


@pytest.mark.django_db
def test_the_provider_edits_a_price_and_sees_the_change(operator_client):
    item = PriceItem.objects.get(code="base-60")
    response = operator_client.post(
        f"/operator/cennik/{item.pk}/", {"net_amount": "2 750,50", "active": "on"}
    )
    assert response.status_code == 302
    assert PriceItem.objects.get(pk=item.pk).net_amount == 275050
    html = operator_client.get("/operator/cennik/").content.decode().replace("\u00a0", " ")
    assert "2 750,50 zł" in html and "2 600,00 zł" in html  # new price and the audit's old one

    bad = operator_client.post(f"/operator/cennik/{item.pk}/", {"net_amount": "dużo"})
    assert "Prosimy podać kwotę" in bad.content.decode()


@pytest.mark.django_db
def test_the_provider_approves_a_transfer_and_sees_revenue(
    operator_client, municipality_a, tenant_a
):
    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_make(tenant_a.schema_name),
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer_make(tenant_a.schema_name),
    )
    assert (
        order.number
        in operator_client.get("/operator/zamowienia/?filtr=nieoplacone").content.decode()
    )
    assert operator_client.get(f"/operator/zamowienia/{order.pk}/zatwierdz/").status_code == 405

    operator_client.post(f"/operator/zamowienia/{order.pk}/zatwierdz/")

    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    html = operator_client.get("/operator/przychody/").content.decode()
    assert municipality_a.name in html
