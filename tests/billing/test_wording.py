"""What the order pages say: the price before ordering, add-ons in Polish and only when
something delivers them, and a consultation's badge after payment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from billing import services
from billing.models import Order, PriceItem
from tests.billing.conftest import consultation_make
from tests.conftest import force_login


def client_as(tenant, user) -> Client:
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, user, tenant.schema_name)
    return client


def text_of(response) -> str:
    return response.content.decode().replace("\u00a0", " ")


@pytest.mark.django_db
def test_an_add_on_nothing_delivers_is_not_sold_but_the_provider_sees_it(
    municipality_a, tenant_a, orderer, monkeypatch
):
    from consultations import participation

    # given a new add-on in the price list, which no participation kind delivers yet
    PriceItem.objects.create(
        code="addon-e-voting", kind="addon", name="Głosowanie elektroniczne", net_amount=99900
    )
    consultation_id = consultation_make(tenant_a.schema_name)
    client = client_as(tenant_a, orderer)

    # then the order page does not offer it, and the service refuses it
    page = text_of(client.get(f"/panel/zamowienia/nowe/{consultation_id}/?addons=addon-e-voting"))
    assert "Głosowanie elektroniczne" not in page
    with pytest.raises(ValidationError, match="nie jest jeszcze dostępny"):
        services.order_place(
            municipality=municipality_a,
            consultation_id=consultation_id,
            addon_codes=["addon-e-voting"],
            payment_method="transfer",
            acting_user=orderer,
        )
    assert not Order.objects.filter(consultation_id=consultation_id).exists()
    # the provider sees it in the price list, marked as not available yet
    from accounts.services import user_create
    from tests.conftest import unique

    with schema_context("public"):
        operator = user_create(email=unique("op") + "@konsulta.test", password=None, is_staff=True)
    provider = Client(HTTP_HOST="localhost")
    force_login(provider, operator, "public")
    prices = text_of(provider.get("/operator/cennik/"))
    row = prices[prices.index("Głosowanie elektroniczne") :].split("</tr>")[0]
    assert "jeszcze niedostępny" in row

    # when a participation kind that delivers it registers, it is offered, in Polish
    kind = participation.ParticipationKind(
        name="e-voting", label="Głosowanie", addon_code="addon-e-voting"
    )
    monkeypatch.setitem(participation._registry, "e-voting", kind)
    page = text_of(client.get(f"/panel/zamowienia/nowe/{consultation_id}/"))
    assert "Głosowanie elektroniczne (+1 228,77 zł brutto)" in page
    assert " gross)" not in page


@pytest.mark.django_db
def test_a_draft_shows_its_itemised_price_before_it_is_ordered(municipality_a, tenant_a, orderer):
    from consultations.models import Consultation

    # given a draft consultation of 20 days (not ordered yet)
    consultation_id = consultation_make(tenant_a.schema_name, days=20)
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=consultation_id).update(status="draft")
    client = client_as(tenant_a, orderer)

    # its page links to the price, which is itemised (net, VAT, gross), and nothing is ordered
    detail = text_of(client.get(f"/panel/konsultacje/{consultation_id}/"))
    assert f'href="/panel/zamowienia/nowe/{consultation_id}/"' in detail
    price = text_of(client.get(f"/panel/zamowienia/nowe/{consultation_id}/"))
    for amount in ("1 800,00 zł", "414,00 zł", "2 214,00 zł"):
        assert amount in price
    assert "Złóż zamówienie" not in price
    assert not Order.objects.filter(consultation_id=consultation_id).exists()


@pytest.mark.django_db
def test_after_payment_the_badge_no_longer_says_awaiting_payment(municipality_a, tenant_a, orderer):
    from accounts.services import user_create
    from tests.conftest import unique

    # given an order approved by the provider for payment by transfer
    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_make(tenant_a.schema_name),
        addon_codes=[],
        payment_method="transfer",
        acting_user=orderer,
    )
    with schema_context("public"):
        operator = user_create(email=unique("op") + "@konsulta.test", password=None, is_staff=True)
    services.order_approve_transfer(order_id=order.pk, acting_user=operator)

    # then the consultation's badge and text say the payment is settled, approved for transfer,
    # and never that it awaits payment or was paid ("opłacone")
    detail = text_of(
        client_as(tenant_a, orderer).get(f"/panel/konsultacje/{order.consultation_id}/")
    )
    badge = detail.split('id="status">')[1].split("<")[0]
    assert badge == "Zamówiona (płatność rozliczona)"
    assert "oczekuje na płatność" not in detail
    assert "opłacone" not in detail.lower()
    assert "zatwierdził je do płatności przelewem" in detail
