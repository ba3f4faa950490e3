"""Billing: the price list, orders per consultation and what Stripe told us about them.

Every table here lives in the public schema. A consultation (a tenant table) is referred to
by (municipality, consultation_id) with a snapshot of its title and dates, never by a
foreign key. Amounts are integers in grosze; the currency is PLN.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models import Municipality

CURRENCY = "pln"
VAT_RATE_BASIS_POINTS = 2300  # 23 %


def vat_of(net: int, rate_bp: int = VAT_RATE_BASIS_POINTS) -> int:
    """VAT in grosze for a net amount in grosze, rounded half up to the grosz."""
    return (net * rate_bp + 5000) // 10000


class PriceItemKind(models.TextChoices):
    BASE = "base", _("Base price by duration")
    ADDON = "addon", _("Add-on")


class PriceItem(models.Model):
    """One line of the provider's price list: a duration band of the base price or an add-on."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PriceItemKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # Base bands only: the consultation's length in days, inclusive; no maximum = open band.
    min_days = models.PositiveIntegerField(_("from (days)"), null=True, blank=True)
    max_days = models.PositiveIntegerField(_("to (days)"), null=True, blank=True)
    net_amount = models.PositiveIntegerField(_("net price (grosze)"))
    vat_rate_bp = models.PositiveIntegerField(default=VAT_RATE_BASIS_POINTS)
    active = models.BooleanField(_("available"), default=True)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list")
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="addon") | Q(min_days__isnull=False),
                name="billing_price_base_has_band",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def vat_amount(self) -> int:
        return vat_of(self.net_amount, self.vat_rate_bp)

    @property
    def gross_amount(self) -> int:
        return self.net_amount + self.vat_amount


class PriceChange(models.Model):
    """The audit of the price list: who changed which price, from what, to what, and when."""

    price_item = models.ForeignKey(PriceItem, on_delete=models.CASCADE, related_name="changes")
    old_net_amount = models.PositiveIntegerField()
    new_net_amount = models.PositiveIntegerField()
    old_active = models.BooleanField()
    new_active = models.BooleanField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.price_item}: {self.old_net_amount} → {self.new_net_amount}"


class BillingProfile(models.Model):
    """A municipality's invoice data beside its name and NIP, and its Stripe Customer."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="billing_profile"
    )
    invoice_name = models.CharField(_("name on the invoice"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    invoice_email = models.EmailField(_("e-mail for invoices"), blank=True)
    stripe_customer_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invoice data")

    def __str__(self) -> str:
        return self.invoice_name or self.municipality.name

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.postal_code} {self.city}".strip()) if line]


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PROCESSING = "processing", _("Payment processing")
    PAID = "paid", _("Paid")
    APPROVED = "approved", _("Approved for payment by transfer")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Cancelled and refunded")


# An order only ever moves to a higher rank: a late or replayed event can't undo a payment.
STATUS_RANK: dict[str, int] = {
    OrderStatus.AWAITING_PAYMENT: 10,
    OrderStatus.PROCESSING: 20,
    OrderStatus.PAID: 30,
    OrderStatus.APPROVED: 30,
    OrderStatus.CANCELLED: 40,
    OrderStatus.REFUNDED: 40,
}
OPEN_STATUSES = (OrderStatus.AWAITING_PAYMENT, OrderStatus.PROCESSING)
CLEARED_STATUSES = (OrderStatus.PAID, OrderStatus.APPROVED)


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Online payment (card, BLIK, Przelewy24)")
    TRANSFER = "transfer", _("Bank transfer after an invoice (postpaid)")


class Order(models.Model):
    """What a municipality bought for one consultation; the items are snapshots of the prices."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="orders")
    consultation_id = models.BigIntegerField()
    consultation_title = models.CharField(max_length=250)
    consultation_starts_at = models.DateTimeField(null=True, blank=True)
    consultation_ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.AWAITING_PAYMENT,
        db_index=True,
    )
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3, default=CURRENCY)
    net_total = models.PositiveIntegerField()
    vat_total = models.PositiveIntegerField()
    gross_total = models.PositiveIntegerField()
    # The buyer as it stood when ordering: later edits of the profile don't change the order.
    buyer_name = models.CharField(max_length=200)
    buyer_nip = models.CharField(max_length=10, blank=True)
    buyer_address = models.CharField(max_length=400, blank=True)
    # Who ordered: an account of the municipality's schema, so an e-mail, not a foreign key.
    ordered_by_email = models.EmailField()
    stripe_payment_intent_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stripe_refund_id = models.CharField(max_length=64, blank=True)
    last_payment_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_email = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live order per consultation; a cancelled one may be ordered again.
            models.UniqueConstraint(
                fields=["municipality", "consultation_id"],
                condition=~Q(status__in=["cancelled", "refunded"]),
                name="billing_one_live_order_per_consultation",
            ),
            models.CheckConstraint(
                condition=Q(gross_total=models.F("net_total") + models.F("vat_total")),
                name="billing_order_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"KON/{self.created_at:%Y}/{self.pk:06d}"

    @property
    def rank(self) -> int:
        return STATUS_RANK[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_cleared(self) -> bool:
        return self.status in CLEARED_STATUSES


class OrderItem(models.Model):
    """A priced line of an order, copied from the price list when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    net_amount = models.PositiveIntegerField()
    vat_rate_bp = models.PositiveIntegerField()
    vat_amount = models.PositiveIntegerField()
    gross_amount = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "code"], name="billing_item_once_per_order"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderEvent(models.Model):
    """The order's history as both sides see it: placed, paid, approved, cancelled, refunded."""

    class Action(models.TextChoices):
        PLACED = "placed", pgettext_lazy("order event", "Placed")
        PAYMENT_STARTED = "payment_started", pgettext_lazy("order event", "Payment started")
        PAYMENT_FAILED = "payment_failed", pgettext_lazy("order event", "Payment failed")
        PAID = "paid", pgettext_lazy("order event", "Paid")
        APPROVED = "approved", pgettext_lazy("order event", "Approved for payment by transfer")
        CANCELLED = "cancelled", pgettext_lazy("order event", "Cancelled")
        REFUNDED = "refunded", pgettext_lazy("order event", "Refunded")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    amount = models.IntegerField(null=True, blank=True)
    actor = models.CharField(max_length=254, blank=True)  # an e-mail, "Stripe" or "system"
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action}"


class StripeEvent(models.Model):
    """Each webhook event once, by its id: a replay or duplicate delivery changes nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_events"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class PaymentIntentRecord(models.Model):
    """Every PaymentIntent created for an order, recorded in the same transaction that attaches
    it, before its client_secret leaves the server: an intent nobody recorded was never shown
    to a payer and cannot be charged.

    localstripe (the tests' Stripe) can neither search PaymentIntents by metadata nor filter
    their list, so the reconciliation job walks these rows instead: any charged intent that is
    not the live order's own is refunded, any unfinished one voided, and the row settled."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payment_intents")
    intent_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once the reconciliation has refunded or voided it (or found nothing to do).
    settled_at = models.DateTimeField(null=True, blank=True)
    refund_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["order"], condition=Q(settled_at__isnull=True), name="billing_pi_unsettled"
            )
        ]

    def __str__(self) -> str:
        return self.intent_id
