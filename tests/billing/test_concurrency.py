"""Quick repeated clicks on "Zapłać": one PaymentIntent per order, one Stripe Customer per
municipality, whatever the timing. localstripe ignores idempotency keys, as a Stripe whose
key expired would: only our locks keep "once" true. Threads post to the panel at the same
moment; the server talks to localstripe over HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from billing import gateway, services
from billing.models import BillingProfile, Order, OrderStatus, PaymentIntentRecord
from tests.billing.conftest import consultation_make, invoice_data_enter, orderer_make
from tests.conftest import force_login

CLICKS_PER_ORDER = 3


def intents_of(stripe: Any, order: Order) -> list[Any]:
    """Every PaymentIntent localstripe holds for this order (it can only list them all)."""
    listing = stripe.v1.payment_intents.list(params={"limit": 100})
    return [
        pi
        for pi in listing.auto_paging_iter()
        if pi.to_dict().get("metadata", {}).get("order_id") == str(order.pk)
    ]


def customers_of(stripe: Any, municipality_id: int) -> list[Any]:
    listing = stripe.v1.customers.list(params={"limit": 100})
    return [
        c
        for c in listing.auto_paging_iter()
        if (c.to_dict().get("metadata") or {}).get("municipality_id") == str(municipality_id)
    ]


@pytest.mark.live
def test_quick_clicks_on_pay_charge_once_and_make_one_customer(committed_db, localstripe, tenant_a):
    # given a municipality without a Stripe Customer yet, and two unpaid card orders
    from tenants.models import Municipality

    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    BillingProfile.objects.filter(municipality=municipality).update(stripe_customer_id=None)
    stripe = localstripe.client()
    customers_before = len(customers_of(stripe, municipality.pk))
    admin = orderer_make(tenant_a.schema_name)
    orders = [
        services.order_place(
            municipality=municipality,
            consultation_id=consultation_make(tenant_a.schema_name, title=title),
            addon_codes=[],
            payment_method="card",
            acting_user=admin,
        )
        for title in ("Zieleń miejska", "Ścieżki rowerowe")
    ]

    # when "Zapłać" is clicked three times on each, all six requests at the same moment
    start = threading.Barrier(CLICKS_PER_ORDER * len(orders))
    answers: list[Any] = []

    def click(order: Order) -> None:
        try:
            client = Client(HTTP_HOST=tenant_a.host)
            force_login(client, admin, tenant_a.schema_name)
            start.wait(timeout=30)
            answers.append(client.post(f"/panel/zamowienia/{order.pk}/zaplac/").status_code)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=click, args=(order,))
        for order in orders
        for _ in range(CLICKS_PER_ORDER)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then every click answered with a redirect to the order, each order is paid once through
    # one PaymentIntent, and the municipality has one Stripe Customer
    assert answers == [302] * len(threads)
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        in_stripe = intents_of(stripe, order)
        assert [pi.id for pi in in_stripe] == [order.stripe_payment_intent_id]
        assert in_stripe[0].status == "succeeded"
        assert list(order.payment_intents.values_list("intent_id", flat=True)) == [
            order.stripe_payment_intent_id
        ]
    assert len(customers_of(stripe, municipality.pk)) == customers_before + 1


@pytest.mark.django_db
def test_reconciliation_refunds_a_charged_intent_that_is_not_the_orders(
    localstripe, municipality_a, tenant_a, orderer
):
    # given a paid order, and a second PaymentIntent for it that was charged too (what two
    # unlocked clicks used to leave behind), recorded as every intent created is
    from billing.tasks import orders_reconcile

    order = services.order_place(
        municipality=municipality_a,
        consultation_id=consultation_make(tenant_a.schema_name),
        addon_codes=[],
        payment_method="card",
        acting_user=orderer,
    )
    order = services.order_pay_in_test_mode(order_id=order.pk, acting_user=orderer)
    stray = gateway.payment_intent_create(
        amount=order.gross_total,
        currency="pln",
        customer_id=BillingProfile.objects.get(municipality=municipality_a).stripe_customer_id,
        metadata={"order_id": str(order.pk)},
        idempotency_key=f"order-{order.pk}-intent",
    )
    PaymentIntentRecord.objects.create(order=order, intent_id=stray.id)
    assert gateway.payment_intent_confirm_with_test_card(stray.id).status == "succeeded"
    # and an unfinished third one, which a payer could still confirm
    pending = gateway.payment_intent_create(
        amount=order.gross_total,
        currency="pln",
        customer_id=BillingProfile.objects.get(municipality=municipality_a).stripe_customer_id,
        metadata={"order_id": str(order.pk)},
        idempotency_key=f"order-{order.pk}-intent",
    )
    PaymentIntentRecord.objects.create(order=order, intent_id=pending.id)

    # when the reconciliation job runs (twice: the second run finds nothing more to do)
    orders_reconcile.apply()
    orders_reconcile.apply()

    # then the stray charge is refunded in full, once; the pending one voided; the order's own
    # payment untouched and the order still paid
    stripe = localstripe.client()
    refunds = stripe.v1.refunds.list(params={"payment_intent": stray.id}).data
    assert [r.amount for r in refunds] == [order.gross_total]
    assert stripe.v1.payment_intents.retrieve(pending.id).status == "canceled"
    own = stripe.v1.refunds.list(params={"payment_intent": order.stripe_payment_intent_id}).data
    assert own == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.events.filter(action="refunded", reference=refunds[0].id).count() == 1
    assert not PaymentIntentRecord.objects.filter(order=order, settled_at=None).exclude(
        intent_id=order.stripe_payment_intent_id
    )
