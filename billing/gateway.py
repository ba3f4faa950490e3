"""The one module that talks to Stripe (and the only one that imports ``stripe``).

Everything else in the project sees plain data classes and two exceptions: ``GatewayError``
(Stripe refused or could not be reached; ``unreachable`` tells which) and
``SignatureError`` (a webhook whose signature does not verify).

Production hands the PaymentIntent's ``client_secret`` to Stripe.js, which collects the card,
BLIK code or Przelewy24 choice in the browser and confirms the payment. Stripe.js cannot load
offline, so with ``STRIPE_TEST_MODE`` on the server confirms the PaymentIntent itself with a
test card: the rest of the flow (the PaymentIntent, its webhook, refunds) is the real one,
against localstripe in tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from stripe._http_client import new_default_http_client

# Stripe's test card that always succeeds (localstripe accepts raw card numbers in test mode).
TEST_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}


class GatewayError(Exception):
    """Stripe answered with an error, or could not be reached (``unreachable``)."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class SignatureError(Exception):
    """A webhook payload whose Stripe-Signature does not verify with our secret."""


class MalformedEventError(SignatureError):
    """A verified payload that is not an event we can store: no string id (events are kept
    once by id), no type, or a data object of the wrong shape. Answered like a bad signature
    (400): the sender is at fault, and retrying cannot help."""


# StripeEvent.event_id's length; Stripe's ids are ~30 characters.
EVENT_ID_MAX_LENGTH = 100


@dataclass(frozen=True)
class IntentState:
    """What Stripe says a PaymentIntent is now."""

    id: str
    status: str  # requires_payment_method, requires_confirmation, processing, succeeded, …
    amount: int
    currency: str
    client_secret: str
    metadata: dict[str, str]
    last_error: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object_id: str
    object_type: str
    metadata: dict[str, str]
    payload: dict[str, Any]


def _client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY or "sk_test_unset",
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=new_default_http_client(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except stripe.APIConnectionError as exc:
        raise GatewayError(str(exc), unreachable=True) from exc
    except stripe.StripeError as exc:
        raise GatewayError(str(exc.user_message or exc)) from exc


def _intent_state(resource: Any) -> IntentState:
    intent = resource.to_dict()
    error = intent.get("last_payment_error") or {}
    return IntentState(
        id=intent["id"],
        status=intent["status"],
        amount=int(intent["amount"]),
        currency=intent["currency"],
        client_secret=intent.get("client_secret") or "",
        metadata=dict(intent.get("metadata") or {}),
        last_error=(error.get("message") or "") if isinstance(error, dict) else "",
    )


def customer_create(
    *,
    name: str,
    email: str,
    nip: str,
    address: dict[str, str],
    metadata: dict[str, str],
    idempotency_key: str,
) -> str:
    """One Stripe Customer per municipality, with its NIP as an EU VAT id ("PL" + NIP)."""
    client = _client()
    params: dict[str, Any] = {"name": name, "metadata": metadata, "address": address}
    if email:
        params["email"] = email
    customer = _call(
        client.v1.customers.create, params=params, options={"idempotency_key": idempotency_key}
    )
    if nip:
        _call(
            client.v1.customers.tax_ids.create,
            customer["id"],
            params={"type": "eu_vat", "value": f"PL{nip}"},
            options={"idempotency_key": f"{idempotency_key}-tax-id"},
        )
    return customer["id"]


def payment_intent_create(
    *, amount: int, currency: str, customer_id: str, metadata: dict[str, str], idempotency_key: str
) -> IntentState:
    """A PaymentIntent for an order; the same idempotency key never creates a second one."""
    intent = _call(
        _client().v1.payment_intents.create,
        params={
            "amount": amount,
            "currency": currency,
            "customer": customer_id,
            "payment_method_types": list(settings.STRIPE_PAYMENT_METHOD_TYPES),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return _intent_state(intent)


def payment_intent_retrieve(intent_id: str) -> IntentState:
    return _intent_state(_call(_client().v1.payment_intents.retrieve, intent_id))


def payment_intent_confirm_with_test_card(intent_id: str) -> IntentState:
    """Test mode only: what Stripe.js does in the payer's browser, done by the server."""
    if not settings.STRIPE_TEST_MODE:
        raise GatewayError("server-side confirmation is allowed in test mode only")
    client = _client()
    intent = _call(client.v1.payment_intents.retrieve, intent_id)
    if intent["status"] == "requires_payment_method":
        method = _call(client.v1.payment_methods.create, params={"type": "card", "card": TEST_CARD})
        intent = _call(
            client.v1.payment_intents.update, intent_id, params={"payment_method": method["id"]}
        )
    if intent["status"] == "requires_confirmation":
        intent = _call(client.v1.payment_intents.confirm, intent_id)
    return _intent_state(intent)


def payment_intent_cancel(intent_id: str) -> IntentState:
    return _intent_state(_call(_client().v1.payment_intents.cancel, intent_id))


def refund_create(*, intent_id: str, idempotency_key: str) -> str:
    """Refund the whole payment of a PaymentIntent; returns the Refund's id."""
    refund = _call(
        _client().v1.refunds.create,
        params={"payment_intent": intent_id},
        options={"idempotency_key": idempotency_key},
    )
    return refund["id"]


def refunded_amount(intent_id: str) -> int:
    """How much of a PaymentIntent's payment has been refunded so far (failed refunds aside)."""
    refunds = _call(_client().v1.refunds.list, params={"payment_intent": intent_id, "limit": 100})
    return sum(
        int(refund["amount"]) for refund in refunds["data"] if refund.get("status") != "failed"
    )


def webhook_event_construct(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify the Stripe-Signature header and parse the event. Without a configured secret
    nothing verifies: a constant would let anyone sign events."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise SignatureError("STRIPE_WEBHOOK_SECRET is not set: webhooks are refused")
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise SignatureError(str(exc)) from exc
    except (TypeError, AttributeError, KeyError) as exc:  # verified, but not shaped as an event
        raise MalformedEventError(str(exc)) from exc
    raw = json.loads(payload)
    if not isinstance(raw, dict):
        raise MalformedEventError("the payload is not a JSON object")
    event_id, event_type, data = raw.get("id"), raw.get("type"), raw.get("data") or {}
    if not isinstance(event_id, str) or not 0 < len(event_id) <= EVENT_ID_MAX_LENGTH:
        raise MalformedEventError(f"event id {str(event_id)[:40]!r} is not a storable id")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedEventError(f"event {event_id} has no type")
    obj = (data.get("object") or {}) if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEventError(f"event {event_id} has no data object")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        object_id=str(obj.get("id", "")),
        object_type=str(obj.get("object", "")),
        metadata=metadata if isinstance(metadata := obj.get("metadata"), dict) else {},
        payload=raw,
    )
