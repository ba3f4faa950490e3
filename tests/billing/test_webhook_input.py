"""A correctly signed webhook whose body is not a storable event is refused (400), not a 500.

Stripe signs what it sends, so this is about a leaked or misconfigured secret, a proxy that
rewrites bodies, or Stripe changing shape: the endpoint must answer cleanly either way."""

import pytest
from django.test import Client

from billing.models import StripeEvent
from tests.billing.stripe_fake import WEBHOOK_SECRET, event_make, signed


@pytest.fixture
def apex(settings) -> Client:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return Client(HTTP_HOST="localhost")


def deliver(client: Client, payload: object):
    body, header = signed(payload)  # type: ignore[arg-type]
    return client.post(
        "/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def event_without(key: str) -> dict:
    payload = event_make("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    del payload[key]
    return payload


def event_with(**fields: object) -> dict:
    payload = event_make("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    payload.update(fields)
    return payload


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        event_without("id"),
        event_with(id=None),
        event_with(id=""),
        event_with(id=12345),
        event_with(id={"nested": "evt_1"}),
        event_with(id="evt_" + "x" * 200),
        event_with(data="not an object"),
        event_with(data={"object": ["not", "an", "object"]}),
        event_without("type"),
        [event_with()],
        "evt_1",
    ],
    ids=[
        "no-id",
        "null-id",
        "empty-id",
        "numeric-id",
        "object-id",
        "overlong-id",
        "data-not-object",
        "object-not-object",
        "no-type",
        "array",
        "string",
    ],
)
def test_a_signed_event_that_cannot_be_stored_is_refused_with_400(apex, payload):
    count = StripeEvent.objects.count()
    response = deliver(apex, payload)
    assert response.status_code == 400
    assert StripeEvent.objects.count() == count


@pytest.mark.django_db
def test_a_signed_event_with_an_id_is_still_accepted(apex):
    payload = event_with(type="customer.created", data={"object": {"id": "cus_1", "metadata": 7}})
    response = deliver(apex, payload)
    assert response.status_code == 200
    assert StripeEvent.objects.filter(event_id=payload["id"]).exists()
