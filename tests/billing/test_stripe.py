"""Payments through Stripe, against localstripe over real HTTP with signed webhooks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from billing import services
from billing.models import Order, OrderStatus, StripeEvent
from tests.billing.conftest import (
    consultation_cleared,
    consultation_make,
    invoice_data_enter,
    orderer_make,
    wait_until,
)
from tests.billing.stripe_fake import event_make, signed


def order_for(municipality, schema_name: str, **kwargs) -> Order:
    consultation_id = consultation_make(schema_name, **kwargs)
    return services.order_place(
        municipality=municipality,
        consultation_id=consultation_id,
        addon_codes=[],
        payment_method="card",
        acting_user=orderer_make(schema_name),
    )


def deliver(client: Client, payload: dict, *, signature: str | None = None):
    body, header = signed(payload)
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature or header,
    )


@pytest.fixture
def apex() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.mark.live
def test_a_card_payment_confirmed_in_stripe_clears_the_consultation_through_the_webhook(
    committed_db, stripe_webhooks, tenant_a
):
    # given an order with its invoice data, a PaymentIntent and a Stripe Customer with the NIP
    from tenants.models import Municipality

    municipality = Municipality.objects.get(pk=tenant_a.pk)
    invoice_data_enter(municipality)
    order = order_for(municipality, tenant_a.schema_name, title="Park miejski")
    intent = services.order_payment_start(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    stripe = stripe_webhooks.client()
    pi = stripe.v1.payment_intents.retrieve(intent.id)
    assert pi.amount == order.gross_total and pi.currency == "pln"
    assert pi.metadata["schema"] == tenant_a.schema_name
    tax_ids = stripe.v1.customers.tax_ids.list(pi.customer)
    assert [t.value for t in tax_ids.data] == [f"PL{municipality.nip}"]

    # when the payer confirms the payment (what Stripe.js does in the browser)
    method = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe.v1.payment_intents.update(intent.id, params={"payment_method": method.id})
    stripe.v1.payment_intents.confirm(intent.id)

    # then the signed webhook reaches the web server, which records the payment and clears
    # the consultation in the municipality's schema
    assert wait_until(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PAID)
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)
    stored = StripeEvent.objects.get(order=order, type="payment_intent.succeeded")
    assert stored.payload["data"]["object"]["id"] == intent.id


@pytest.mark.django_db
def test_a_forged_signature_is_rejected_and_nothing_is_stored(localstripe, apex):
    # given an event signed with another secret
    payload = event_make(
        "payment_intent.succeeded", {"id": "pi_forged", "object": "payment_intent"}
    )
    body, header = signed(payload, secret="whsec_someone_else")

    # when it is posted to the endpoint
    response = apex.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    # then it is refused and not stored
    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=payload["id"]).exists()
    assert (
        apex.post("/stripe/webhook/", data=body, content_type="application/json").status_code == 400
    )


@pytest.mark.django_db
def test_the_same_event_delivered_twice_is_stored_once_and_changes_nothing_more(
    localstripe, apex, municipality_a, tenant_a
):
    # given an order whose payment Stripe has confirmed
    order = order_for(municipality_a, tenant_a.schema_name)
    intent = services.order_payment_start(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    from billing import gateway

    gateway.payment_intent_confirm_with_test_card(intent.id)
    pi = localstripe.client().v1.payment_intents.retrieve(intent.id)
    event = event_make("payment_intent.succeeded", pi.to_dict())

    # when the event arrives twice
    first = deliver(apex, event)
    paid_at = Order.objects.get(pk=order.pk).paid_at
    second = deliver(apex, event)

    # then both answers are 200, the event is stored once and the order paid once
    assert first.status_code == second.status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_at == paid_at
    assert order.events.filter(action="paid").count() == 1
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)


@pytest.mark.django_db
def test_events_out_of_order_never_move_an_order_backwards(
    localstripe, apex, municipality_a, tenant_a
):
    # given an order whose PaymentIntent is created but not yet confirmed
    order = order_for(municipality_a, tenant_a.schema_name)
    intent = services.order_payment_start(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    stale = localstripe.client().v1.payment_intents.retrieve(intent.id).to_dict()

    # when a "succeeded" event arrives before Stripe really settled the payment (forged by
    # a replay, or out of order), the order asks Stripe and stays unpaid
    early = dict(stale, status="succeeded")
    assert deliver(apex, event_make("payment_intent.succeeded", early)).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT

    # when the payment succeeds and is recorded, and then older events arrive
    from billing import gateway

    gateway.payment_intent_confirm_with_test_card(intent.id)
    paid = localstripe.client().v1.payment_intents.retrieve(intent.id).to_dict()
    assert deliver(apex, event_make("payment_intent.succeeded", paid)).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    for late_type, late_status in (
        ("payment_intent.processing", "processing"),
        ("payment_intent.payment_failed", "requires_payment_method"),
        ("payment_intent.created", "requires_payment_method"),
    ):
        late = dict(stale, status=late_status)
        assert deliver(apex, event_make(late_type, late)).status_code == 200

    # then the order is still paid and the consultation still cleared
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)


@pytest.mark.django_db
def test_events_the_platform_does_not_handle_get_a_200(localstripe, apex):
    event = event_make("customer.created", {"id": "cus_x", "object": "customer"})
    assert deliver(apex, event).status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"], order=None).exists()


@pytest.mark.django_db
def test_stripe_unreachable_while_paying_keeps_the_order_and_a_retry_works(
    localstripe, municipality_a, tenant_a, settings
):
    # given an order and Stripe out of reach (a closed port)
    from tests.conftest import free_port

    order = order_for(municipality_a, tenant_a.schema_name)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"

    # when the payment is started, a clear Polish message says what to do
    with pytest.raises(ValidationError) as error:
        services.order_pay_in_test_mode(
            order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
        )
    assert "operatorem płatności" in error.value.messages[0]
    assert "spróbować zapłacić ponownie" in error.value.messages[0]
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.stripe_payment_intent_id is None

    # then, Stripe back, the same order is paid
    settings.STRIPE_API_BASE = localstripe.api_base
    order = services.order_pay_in_test_mode(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    assert order.status == OrderStatus.PAID
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)


@pytest.mark.django_db
def test_stripe_unreachable_in_the_panel_shows_a_polish_message(
    localstripe, municipality_a, tenant_a, settings
):
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from tests.conftest import PASSWORD, force_login, free_port, unique

    order = order_for(municipality_a, tenant_a.schema_name)
    with schema_context(tenant_a.schema_name):
        user = user_create(email=unique("k") + "@a.test", password=PASSWORD, role="admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"

    response = client.post(f"/panel/zamowienia/{order.pk}/zaplac/", follow=True)

    assert "Nie udało się połączyć z operatorem płatności" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.django_db
def test_cancelling_a_paid_order_refunds_it_in_stripe_and_revokes_the_clearance(
    localstripe, municipality_a, tenant_a
):
    # given a paid order
    order = order_for(municipality_a, tenant_a.schema_name)
    order = services.order_pay_in_test_mode(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)

    # when it is cancelled before the consultation opens
    order = services.order_cancel(order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name))

    # then Stripe holds a refund of the whole amount and the consultation is not cleared
    assert order.status == OrderStatus.REFUNDED
    refunds = localstripe.client().v1.refunds.list(
        params={"payment_intent": order.stripe_payment_intent_id}
    )
    assert [(r.id, r.amount) for r in refunds.data] == [(order.stripe_refund_id, order.gross_total)]
    assert not consultation_cleared(tenant_a.schema_name, order.consultation_id)
    # and a second cancel refunds nothing more
    services.order_cancel(order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name))
    assert (
        len(
            localstripe.client()
            .v1.refunds.list(params={"payment_intent": order.stripe_payment_intent_id})
            .data
        )
        == 1
    )


@pytest.mark.django_db
def test_cancelling_an_unpaid_order_voids_its_payment_intent(localstripe, municipality_a, tenant_a):
    order = order_for(municipality_a, tenant_a.schema_name)
    intent = services.order_payment_start(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )

    order = services.order_cancel(order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name))

    assert order.status == OrderStatus.CANCELLED
    assert localstripe.client().v1.payment_intents.retrieve(intent.id).status == "canceled"
    # the consultation may be ordered again
    again = services.order_place(
        municipality=municipality_a,
        consultation_id=order.consultation_id,
        addon_codes=[],
        payment_method="card",
        acting_user=orderer_make(tenant_a.schema_name),
    )
    assert again.pk != order.pk


@pytest.mark.django_db
def test_an_order_can_not_be_cancelled_once_the_consultation_has_opened(
    localstripe, municipality_a, tenant_a
):
    from datetime import timedelta

    from django_tenants.utils import schema_context

    from consultations.models import Consultation
    from consultations.services import consultation_schedule, consultations_advance
    from tests.consultations.factories import staff_make

    # given a paid order whose consultation was scheduled and has opened on its start
    order = order_for(municipality_a, tenant_a.schema_name)
    order = services.order_pay_in_test_mode(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    with schema_context(tenant_a.schema_name):
        consultation_schedule(
            acting_user=staff_make("admin"), consultation_id=order.consultation_id
        )
        starts_at = Consultation.objects.get(pk=order.consultation_id).starts_at
        assert consultations_advance(now=starts_at + timedelta(minutes=1))[0] >= 1
        assert Consultation.objects.get(pk=order.consultation_id).status == "open"

    # when the order is cancelled, then it is refused and stays paid
    with pytest.raises(ValidationError):
        services.order_cancel(order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name))

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_reconciliation_picks_up_a_payment_confirmed_while_the_server_was_down(
    localstripe, municipality_a, tenant_a
):
    # given a payment Stripe confirmed without our hearing of it (no webhook reached us)
    from billing import gateway
    from billing.tasks import orders_reconcile

    order = order_for(municipality_a, tenant_a.schema_name)
    intent = services.order_payment_start(
        order_id=order.pk, acting_user=orderer_make(tenant_a.schema_name)
    )
    gateway.payment_intent_confirm_with_test_card(intent.id)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT

    # when the periodic task runs
    orders_reconcile.apply()

    # then the order is paid and the consultation cleared
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert consultation_cleared(tenant_a.schema_name, order.consultation_id)


def test_the_reconciliation_task_is_scheduled_with_celery_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "billing.tasks.orders_reconcile" in tasks
