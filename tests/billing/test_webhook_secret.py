"""Without STRIPE_WEBHOOK_SECRET no webhook is accepted: an event signed with any constant
(the one the code used to fall back on included) is refused and nothing is stored."""

import pytest
from django.test import Client

from billing.models import StripeEvent
from tests.billing.stripe_fake import event_make, signed


@pytest.mark.django_db
@pytest.mark.parametrize("secret", ["whsec_unset", "", "whsec_anything"])
def test_without_a_webhook_secret_no_signed_event_is_accepted(settings, secret):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event_make("customer.created", {"id": "cus_forged", "object": "customer"})
    body, header = signed(payload, secret=secret)

    response = Client(HTTP_HOST="localhost").post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=payload["id"]).exists()
