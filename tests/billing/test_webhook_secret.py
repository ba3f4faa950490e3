"""Without STRIPE_WEBHOOK_SECRET no webhook is accepted: an event signed with any constant
(the one the code used to fall back on included) is refused and nothing is stored."""

import pytest
from django.test import Client

from billing.models import StripeEvent
from tests.billing.stripe_fake import event_make, signed
from tests.billing.test_stripe import deliver


@pytest.mark.django_db
@pytest.mark.parametrize("secret", ["whsec_unset", "", "whsec_anything"])
def test_without_a_webhook_secret_no_signed_event_is_accepted(settings, secret):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event_make("customer.created", {"id": "cus_forged", "object": "customer"})
    _, header = signed(payload, secret=secret)

    response = deliver(Client(HTTP_HOST="localhost"), payload, signature=header)

    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=payload["id"]).exists()
