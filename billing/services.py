"""Writes of billing: prices, invoice data, orders, payments and Stripe's webhooks.

Stripe is the source of truth for a payment's state: whatever tells us something happened
(the webhook, the "Pay" step, the reconciliation task) re-fetches the PaymentIntent and hands
its current state to ``order_state_apply``, which only ever moves an order forward.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import User
from billing import gateway
from billing.models import (
    CLEARED_STATUSES,
    STATUS_RANK,
    BillingProfile,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    PaymentIntentRecord,
    PaymentMethod,
    PriceChange,
    PriceItem,
    StripeEvent,
)
from billing.permissions import can_order_consultation
from billing.selectors import (
    consultation_snapshot_get,
    order_quote,
    orders_open_with_intent,
    payment_intents_to_settle,
    price_list_addons_orderable,
    price_list_base,
)
from consultations.models import Consultation
from consultations.services import consultation_payment_clear, consultation_payment_revoke
from tenants.models import Municipality

logger = logging.getLogger("konsulta.billing")

POSTAL_CODE = re.compile(r"^[0-9]{2}-[0-9]{3}$")  # ASCII only: \d takes any script's digits
# A consultation in these states has not opened yet: its order may still be cancelled.
CANCELLABLE_CONSULTATION_STATUSES = {"draft", "ordered", "scheduled"}
MAX_NET_AMOUNT = 10_000_000_00  # 10 million PLN: a typo guard, not a business rule


def unreachable_message() -> str:
    return _(
        "The payment operator cannot be reached at the moment. Your order has been saved; "
        "please try to pay again in a few minutes."
    )


# --- Price list ---------------------------------------------------------------------------


@transaction.atomic
def price_item_update(
    *, price_item_id: int, net_amount: int, active: bool, acting_user: User | None
) -> PriceItem:
    """Change a price; existing orders keep their own copies. Each change is audited."""
    if net_amount <= 0 or net_amount > MAX_NET_AMOUNT:
        raise ValidationError({"net_amount": [_("Enter a price greater than zero.")]})
    item = PriceItem.objects.select_for_update().get(pk=price_item_id)
    if item.net_amount == net_amount and item.active == active:
        return item
    PriceChange.objects.create(
        price_item=item,
        old_net_amount=item.net_amount,
        new_net_amount=net_amount,
        old_active=item.active,
        new_active=active,
        acting_user=acting_user,
    )
    item.net_amount = net_amount
    item.active = active
    item.updated_at = timezone.now()
    item.updated_by = acting_user
    item.save(update_fields=["net_amount", "active", "updated_at", "updated_by"])
    return item


# --- Invoice data -------------------------------------------------------------------------


@transaction.atomic
def billing_profile_update(
    *,
    municipality: Municipality,
    invoice_name: str,
    street: str,
    postal_code: str,
    city: str,
    invoice_email: str = "",
) -> BillingProfile:
    """The municipality's invoice address, as printed on orders placed from now on."""
    postal_code = postal_code.strip()
    if not POSTAL_CODE.match(postal_code):
        raise ValidationError({"postal_code": [_("Enter a postal code such as 74-400.")]})
    profile, _created = BillingProfile.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    profile.invoice_name = invoice_name.strip()
    profile.street = street.strip()
    profile.postal_code = postal_code
    profile.city = city.strip()
    profile.invoice_email = invoice_email.strip()
    profile.updated_at = timezone.now()
    profile.save()
    return profile


# --- Orders -------------------------------------------------------------------------------


def _may_order(*, acting_user: User, municipality: Municipality, consultation_id: int) -> None:
    """Raise PermissionDenied unless ``acting_user`` may order this consultation: consultations'
    own predicate decides, asked in the municipality's schema (where the user's departments
    are). Views answer 404 before coming here; this guards every other caller."""
    with schema_context(municipality.schema_name):
        consultation = Consultation.objects.filter(pk=consultation_id).first()
        allowed = can_order_consultation(acting_user, consultation)
    if not allowed:
        raise PermissionDenied("not allowed to order this consultation")


@transaction.atomic
def order_place(
    *,
    municipality: Municipality,
    consultation_id: int,
    addon_codes: list[str],
    payment_method: str,
    acting_user: User,
) -> Order:
    """Order a consultation at today's prices; the items and the buyer's data are copied
    into the order. A consultation has at most one live order (a database constraint).
    ``acting_user`` (an account of the municipality's schema) must be allowed to order this
    very consultation."""
    _may_order(acting_user=acting_user, municipality=municipality, consultation_id=consultation_id)
    snapshot = consultation_snapshot_get(
        schema_name=municipality.schema_name, consultation_id=consultation_id
    )
    if snapshot is None:
        raise ValidationError(_("This consultation does not exist."))
    if snapshot.status != "ordered":
        # "ordered" means the consultations app checked it is complete and lawful, and froze
        # its dates, on which the price depends.
        raise ValidationError(
            _("Order the consultation from its page in the panel first; then pay for it here.")
        )
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("Choose how you will pay.")]})
    days = snapshot.duration_days
    if days is None or days < 1:
        raise ValidationError(
            _(
                "Set the consultation's start and end dates before ordering it: the price "
                "depends on how long it runs."
            )
        )
    unavailable = set(addon_codes) - set(
        price_list_addons_orderable().values_list("code", flat=True)
    )
    if unavailable:
        raise ValidationError(
            {"addons": [_("This add-on is not available yet. Please choose from the list.")]}
        )
    quote = order_quote(duration_days=days, addon_codes=addon_codes)
    if not quote.lines or quote.lines[0].code not in _base_codes():
        raise ValidationError(_("The price list has no price for a consultation of this length."))
    profile = BillingProfile.objects.filter(municipality=municipality).first()
    if profile is None or not (profile.street and profile.postal_code and profile.city):
        raise ValidationError(_("Enter the municipality's invoice address before ordering."))
    order = Order(
        municipality=municipality,
        consultation_id=snapshot.id,
        consultation_title=snapshot.title,
        consultation_starts_at=snapshot.starts_at,
        consultation_ends_at=snapshot.ends_at,
        payment_method=payment_method,
        net_total=quote.net_total,
        vat_total=quote.vat_total,
        gross_total=quote.gross_total,
        buyer_name=profile.invoice_name or municipality.name,
        buyer_nip=municipality.nip or "",
        buyer_address=", ".join(profile.address_lines),
        ordered_by_email=acting_user.email,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:
        raise ValidationError(_("This consultation has already been ordered.")) from exc
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            code=line.code,
            name=line.name,
            net_amount=line.net_amount,
            vat_rate_bp=line.vat_rate_bp,
            vat_amount=line.vat_amount,
            gross_amount=line.gross_amount,
            position=position,
        )
        for position, line in enumerate(quote.lines)
    )
    OrderEvent.objects.create(
        order=order,
        action=OrderEvent.Action.PLACED,
        amount=order.gross_total,
        actor=acting_user.email,
    )
    return order


def _base_codes() -> set[str]:
    return set(price_list_base().values_list("code", flat=True))


@transaction.atomic
def _customer_ensure(municipality: Municipality) -> str:
    """The municipality's Stripe Customer, created once.

    The municipality's billing row stays locked while Stripe answers: a second payment
    starting at the same moment (another click, another order) waits, then finds the
    Customer. Stripe's idempotency key alone is not enough: it expires after a day, and
    localstripe ignores it."""
    profile = BillingProfile.objects.select_for_update().get(municipality=municipality)
    if profile.stripe_customer_id:
        return profile.stripe_customer_id
    customer_id = gateway.customer_create(
        name=profile.invoice_name or municipality.name,
        email=profile.invoice_email or municipality.contact_email,
        nip=municipality.nip or "",
        address={
            "line1": profile.street,
            "postal_code": profile.postal_code,
            "city": profile.city,
            "country": "PL",
        },
        metadata={"municipality_id": str(municipality.pk), "schema": municipality.schema_name},
        idempotency_key=f"municipality-{municipality.pk}-customer",
    )
    profile.stripe_customer_id = customer_id
    profile.save(update_fields=["stripe_customer_id"])
    return customer_id


def _payable(order: Order) -> None:
    if not order.is_open or order.payment_method != PaymentMethod.CARD:
        raise ValidationError(_("This order cannot be paid online."))


def order_payment_start(*, order_id: int, acting_user: User) -> gateway.IntentState:
    """The order's PaymentIntent: created once in Stripe, then reused.

    Two short transactions, each holding a row lock while Stripe answers: the municipality's
    billing row while its Customer is ensured, then the order's row while its intent is
    looked up or created. A second "Pay" click waits and finds the first one's intent. Each
    intent is recorded (``PaymentIntentRecord``) with the order before its client_secret
    leaves the server, so the reconciliation job knows every one. When Stripe cannot be
    reached the order stays as it was and the Polish message says to try again."""
    order = Order.objects.select_related("municipality").get(pk=order_id)
    _may_order(
        acting_user=acting_user,
        municipality=order.municipality,
        consultation_id=order.consultation_id,
    )
    _payable(order)
    try:
        customer_id = _customer_ensure(order.municipality)
        return _order_intent_ensure(order_id=order.pk, customer_id=customer_id)
    except gateway.GatewayError as exc:
        logger.warning("Stripe: payment of order %s not started: %s", order.pk, exc)
        raise ValidationError(
            unreachable_message() if exc.unreachable else _("The payment could not be started.")
        ) from exc


@transaction.atomic
def _order_intent_ensure(*, order_id: int, customer_id: str) -> gateway.IntentState:
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("municipality")
        .get(pk=order_id)
    )
    _payable(order)
    if order.stripe_payment_intent_id:
        return gateway.payment_intent_retrieve(order.stripe_payment_intent_id)
    intent = gateway.payment_intent_create(
        amount=order.gross_total,
        currency=order.currency,
        customer_id=customer_id,
        metadata={
            "order_id": str(order.pk),
            "order_number": order.number,
            "schema": order.municipality.schema_name,
            "consultation_id": str(order.consultation_id),
        },
        idempotency_key=f"order-{order.pk}-intent",
    )
    PaymentIntentRecord.objects.create(order=order, intent_id=intent.id)
    order.stripe_payment_intent_id = intent.id
    order.save(update_fields=["stripe_payment_intent_id"])
    OrderEvent.objects.create(
        order=order,
        action=OrderEvent.Action.PAYMENT_STARTED,
        amount=order.gross_total,
        actor="Stripe",
        reference=intent.id,
    )
    return intent


def order_pay_in_test_mode(*, order_id: int, acting_user: User) -> Order:
    """The "Pay" step without Stripe.js: confirm the PaymentIntent server-side with a test
    card (STRIPE_TEST_MODE only), then record what Stripe says. A second click while the
    first is being paid waits for it and returns the paid order."""
    try:
        intent = order_payment_start(order_id=order_id, acting_user=acting_user)
    except ValidationError:
        order = Order.objects.get(pk=order_id)
        if order.is_cleared:
            return order
        raise
    return _order_confirm_in_test_mode(order_id=order_id, intent_id=intent.id)


@transaction.atomic
def _order_confirm_in_test_mode(*, order_id: int, intent_id: str) -> Order:
    order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
    if not order.is_open:
        return order
    try:
        intent = gateway.payment_intent_confirm_with_test_card(intent_id)
    except gateway.GatewayError as exc:
        logger.warning("Stripe: confirming order %s failed: %s", order_id, exc)
        raise ValidationError(
            unreachable_message() if exc.unreachable else _("The payment was declined.")
        ) from exc
    return order_state_apply(order_id=order_id, intent=intent, actor="Stripe")


def _target_status(order: Order, intent_status: str) -> str:
    if intent_status == "succeeded":
        return OrderStatus.PAID
    if intent_status in {"processing", "requires_capture"}:
        return OrderStatus.PROCESSING
    if intent_status == "canceled":
        return OrderStatus.CANCELLED
    return OrderStatus.AWAITING_PAYMENT


@transaction.atomic
def order_state_apply(*, order_id: int, intent: gateway.IntentState, actor: str) -> Order:
    """Bring the order in line with the PaymentIntent's current state, forward only.

    A late "processing" after "succeeded", or a replayed event, changes nothing: the order's
    status has a rank and never goes down. Paid: the consultation is cleared in its
    municipality's schema."""
    order = Order.objects.select_for_update().select_related("municipality").get(pk=order_id)
    if intent.id != order.stripe_payment_intent_id:
        logger.warning("Stripe: intent %s is not the one of order %s", intent.id, order.pk)
        return order
    target = _target_status(order, intent.status)
    failed = intent.status == "requires_payment_method" and intent.last_error
    if failed and order.last_payment_error != intent.last_error[:500]:
        order.last_payment_error = intent.last_error[:500]
        order.save(update_fields=["last_payment_error"])
        OrderEvent.objects.create(
            order=order,
            action=OrderEvent.Action.PAYMENT_FAILED,
            actor=actor,
            reference=intent.id,
        )
    if STATUS_RANK[target] <= order.rank:
        return order
    if target == OrderStatus.PAID and intent.amount != order.gross_total:
        logger.error(
            "Stripe: order %s paid %s, expected %s", order.pk, intent.amount, order.gross_total
        )
        return order
    order.status = target
    fields = ["status"]
    if target == OrderStatus.PAID:
        order.paid_at = timezone.now()
        order.last_payment_error = ""
        fields += ["paid_at", "last_payment_error"]
        OrderEvent.objects.create(
            order=order,
            action=OrderEvent.Action.PAID,
            amount=intent.amount,
            actor=actor,
            reference=intent.id,
        )
    elif target == OrderStatus.CANCELLED:
        order.cancelled_at = timezone.now()
        fields.append("cancelled_at")
        OrderEvent.objects.create(
            order=order, action=OrderEvent.Action.CANCELLED, actor=actor, reference=intent.id
        )
    order.save(update_fields=fields)
    if target == OrderStatus.PAID:
        _consultation_clear(order)
    return order


def _consultation_clear(order: Order) -> None:
    band = _paid_band(order)
    with schema_context(order.municipality.schema_name):
        try:
            consultation_payment_clear(
                consultation_id=order.consultation_id,
                reference=order.number,
                paid_days=band,
            )
        except Consultation.DoesNotExist:
            # The money is recorded all the same; the provider sees the order without it.
            logger.error("order %s: consultation %s is gone", order.pk, order.consultation_id)


def _paid_band(order: Order) -> tuple[int | None, int | None] | None:
    """The duration band of the order's base item (its first line), as the price list has
    it: the days a late payment lets the consultation's dates move within."""
    first = order.items.order_by("position").first()
    band = PriceItem.objects.filter(code=first.code).first() if first is not None else None
    if band is None or band.min_days is None:
        return None
    return band.min_days, band.max_days


def _consultation_revoke(order: Order) -> None:
    with schema_context(order.municipality.schema_name):
        try:
            consultation_payment_revoke(consultation_id=order.consultation_id)
        except Consultation.DoesNotExist:
            logger.warning("order %s: consultation %s is gone", order.pk, order.consultation_id)


def order_sync(*, order_id: int) -> Order:
    """Ask Stripe for the state of the order's PaymentIntent and record it."""
    order = Order.objects.get(pk=order_id)
    if not order.stripe_payment_intent_id:
        return order
    intent = gateway.payment_intent_retrieve(order.stripe_payment_intent_id)
    return order_state_apply(order_id=order_id, intent=intent, actor="Stripe")


@transaction.atomic
def order_approve_transfer(*, order_id: int, acting_user: User) -> Order:
    """Provider staff accept payment by invoice and bank transfer (a postpaid contract):
    the consultation is cleared now; who approved it and when is recorded."""
    order = Order.objects.select_for_update().select_related("municipality").get(pk=order_id)
    if not order.is_open:
        raise ValidationError(_("Only an unpaid order can be approved."))
    order.status = OrderStatus.APPROVED
    order.approved_at = timezone.now()
    order.approved_by = acting_user
    order.save(update_fields=["status", "approved_at", "approved_by"])
    OrderEvent.objects.create(
        order=order,
        action=OrderEvent.Action.APPROVED,
        amount=order.gross_total,
        actor=acting_user.email,
    )
    _consultation_clear(order)
    return order


@transaction.atomic
def order_cancel(*, order_id: int, acting_user: User) -> Order:
    """Cancel an order before its consultation opens: a payment is refunded in Stripe, an
    unfinished one voided, and the consultation's clearance revoked.

    The row stays locked while Stripe answers, so two clicks can't refund twice; the
    idempotency key guards the same at Stripe's end."""
    order = Order.objects.select_for_update().select_related("municipality").get(pk=order_id)
    _may_order(
        acting_user=acting_user,
        municipality=order.municipality,
        consultation_id=order.consultation_id,
    )
    acting_email = acting_user.email
    if order.status in {OrderStatus.CANCELLED, OrderStatus.REFUNDED}:
        return order
    snapshot = consultation_snapshot_get(
        schema_name=order.municipality.schema_name, consultation_id=order.consultation_id
    )
    if snapshot is not None and (
        snapshot.status not in CANCELLABLE_CONSULTATION_STATUSES
        or (snapshot.starts_at is not None and snapshot.starts_at <= timezone.now())
    ):
        raise ValidationError(
            _("The consultation has already opened: the order can no longer be cancelled.")
        )
    was_cleared = order.status in CLEARED_STATUSES
    refund_id = ""
    try:
        if order.stripe_payment_intent_id:
            intent = gateway.payment_intent_retrieve(order.stripe_payment_intent_id)
            if intent.status == "succeeded":
                refund_id = gateway.refund_create(
                    intent_id=intent.id, idempotency_key=f"order-{order.pk}-refund"
                )
            elif intent.status != "canceled":
                gateway.payment_intent_cancel(intent.id)
    except gateway.GatewayError as exc:
        logger.warning("Stripe: cancelling order %s failed: %s", order.pk, exc)
        raise ValidationError(
            _(
                "The payment operator cannot be reached at the moment; the order has not been "
                "cancelled. Please try again in a few minutes."
            )
            if exc.unreachable
            else _("The payment operator refused to cancel the payment: %(reason)s")
            % {"reason": exc}
        ) from exc
    order.status = OrderStatus.REFUNDED if refund_id else OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancelled_by_email = acting_email
    order.stripe_refund_id = refund_id
    order.save(update_fields=["status", "cancelled_at", "cancelled_by_email", "stripe_refund_id"])
    OrderEvent.objects.create(order=order, action=OrderEvent.Action.CANCELLED, actor=acting_email)
    if refund_id:
        OrderEvent.objects.create(
            order=order,
            action=OrderEvent.Action.REFUNDED,
            amount=-order.gross_total,
            actor="Stripe",
            reference=refund_id,
        )
    if was_cleared:
        _consultation_revoke(order)
    return order


# --- Stripe webhooks and reconciliation ----------------------------------------------------

HANDLED_EVENT_PREFIX = "payment_intent."


@transaction.atomic
def stripe_event_handle(*, event: gateway.WebhookEvent) -> bool:
    """Record a verified webhook event once and act on it; False when it was seen before.

    The event only says that something happened: the PaymentIntent's state is fetched from
    Stripe anew, so events arriving out of order or days late can't move an order back.
    An error (Stripe unreachable) rolls the whole thing back, the event row included, and
    Stripe delivers it again later."""
    order = None
    if event.type.startswith(HANDLED_EVENT_PREFIX) and event.object_id:
        order = Order.objects.filter(stripe_payment_intent_id=event.object_id).first()
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                event_id=event.id, type=event.type, order=order, payload=event.payload
            )
    except IntegrityError:
        return False
    if order is not None:
        intent = gateway.payment_intent_retrieve(event.object_id)
        order_state_apply(order_id=order.pk, intent=intent, actor="Stripe")
    return True


# Open orders are few (each is a consultation being bought); a cap bounds a bad day's run.
RECONCILE_BATCH_SIZE = 500


def orders_reconcile() -> int:
    """Ask Stripe about every open order with a PaymentIntent, then settle the intents that
    are no order's own; returns how many orders changed plus how many intents were refunded.

    One order at a time, each in its own transaction: when Stripe is down again the run
    stops, and the rest waits for the next one."""
    changed = 0
    for order in orders_open_with_intent().order_by("pk")[:RECONCILE_BATCH_SIZE]:
        try:
            after = order_sync(order_id=order.pk)
        except gateway.GatewayError as exc:
            logger.warning("reconcile: Stripe unreachable at order %s: %s", order.pk, exc)
            return changed
        if after.status != order.status:
            changed += 1
    return changed + payment_intents_reconcile()


def payment_intents_reconcile() -> int:
    """Refund every charged PaymentIntent that is not its live order's own, and void every
    unfinished one; returns how many were refunded.

    Such intents came from two payments started at once before the order row was locked
    (localstripe, and Stripe once an idempotency key expires, create one per request), or
    were left behind by a cancellation racing a payment. Each one is settled in its own
    transaction, under the order's lock; Stripe unreachable stops the run until the next."""
    refunded = 0
    for record in payment_intents_to_settle()[:RECONCILE_BATCH_SIZE]:
        try:
            refunded += _payment_intent_settle(record_id=record.pk)
        except gateway.GatewayError as exc:
            logger.warning("reconcile: Stripe unreachable at intent %s: %s", record.intent_id, exc)
            break
    return refunded


@transaction.atomic
def _payment_intent_settle(*, record_id: int) -> int:
    record = PaymentIntentRecord.objects.select_related("order").get(pk=record_id)
    order = Order.objects.select_for_update(of=("self",)).get(pk=record.order_id)
    record = PaymentIntentRecord.objects.select_for_update().get(pk=record_id)
    live = order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    if record.settled_at is not None or (
        live and order.stripe_payment_intent_id == record.intent_id
    ):
        return 0
    intent = gateway.payment_intent_retrieve(record.intent_id)
    refund_id = ""
    if intent.status == "processing":
        return 0  # not settled either way yet: the next run looks again
    if intent.status == "succeeded":
        if gateway.refunded_amount(intent.id) < intent.amount:
            refund_id = gateway.refund_create(
                intent_id=intent.id, idempotency_key=f"intent-{intent.id}-refund"
            )
    elif intent.status != "canceled":
        gateway.payment_intent_cancel(intent.id)
    record.settled_at = timezone.now()
    record.refund_id = refund_id
    record.save(update_fields=["settled_at", "refund_id"])
    if refund_id:
        logger.warning("reconcile: refunded %s, a second charge of order %s", intent.id, order.pk)
        OrderEvent.objects.create(
            order=order,
            action=OrderEvent.Action.REFUNDED,
            amount=-intent.amount,
            actor="system",
            reference=refund_id,
        )
    return 1 if refund_id else 0
