"""Reads of billing: the price list, quotes, orders and revenue."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import (
    CLEARED_STATUSES,
    OPEN_STATUSES,
    BillingProfile,
    Order,
    OrderItem,
    OrderStatus,
    PaymentIntentRecord,
    PriceChange,
    PriceItem,
    PriceItemKind,
    vat_of,
)
from common.db import connection
from consultations.models import Consultation
from consultations.participation import kinds
from tenants.models import Municipality


@dataclass(frozen=True)
class ConsultationSnapshot:
    """What billing copies of a consultation: it never holds a key into a tenant table."""

    id: int
    title: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None

    @property
    def duration_days(self) -> int | None:
        """How many days it runs, a begun day counting whole: 1 Dec 08:00 → 31 Dec 08:00 is
        30 days, a minute more is 31. Counted on the local wall clock, so the switch to or
        from summer time neither adds nor removes a day."""
        if self.starts_at is None or self.ends_at is None:
            return None
        start = timezone.localtime(self.starts_at).replace(tzinfo=None)
        end = timezone.localtime(self.ends_at).replace(tzinfo=None)
        return math.ceil((end - start) / dt.timedelta(days=1))


@dataclass(frozen=True)
class QuoteLine:
    code: str
    name: str
    net_amount: int
    vat_rate_bp: int

    @property
    def vat_amount(self) -> int:
        return vat_of(self.net_amount, self.vat_rate_bp)

    @property
    def gross_amount(self) -> int:
        return self.net_amount + self.vat_amount


@dataclass(frozen=True)
class Quote:
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def net_total(self) -> int:
        return sum(line.net_amount for line in self.lines)

    @property
    def vat_total(self) -> int:
        return sum(line.vat_amount for line in self.lines)

    @property
    def gross_total(self) -> int:
        return self.net_total + self.vat_total


def consultation_snapshot_get(
    *, schema_name: str, consultation_id: int
) -> ConsultationSnapshot | None:
    """Read a consultation inside its municipality's schema; None when there is none."""
    with schema_context(schema_name):
        row = Consultation.objects.filter(pk=consultation_id).first()
        if row is None:
            return None
        return ConsultationSnapshot(
            id=row.pk,
            title=row.title,
            status=row.status,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
        )


def consultation_get(*, schema_name: str, consultation_id: int) -> Consultation | None:
    """The consultation itself, read in its municipality's schema, for consultations' own
    permission predicates (billing asks them about the consultation an order concerns)."""
    with schema_context(schema_name):
        return Consultation.objects.filter(pk=consultation_id).first()


def consultations_by_id(*, schema_name: str, ids: set[int]) -> dict[int, Consultation]:
    """Several consultations of one municipality at once, by id (for a list of orders)."""
    with schema_context(schema_name):
        return {row.pk: row for row in Consultation.objects.filter(pk__in=ids)}


def price_list_base() -> QuerySet[PriceItem]:
    return PriceItem.objects.filter(kind=PriceItemKind.BASE).order_by("min_days", "pk")


def price_list_addons(*, active_only: bool = False) -> QuerySet[PriceItem]:
    qs = PriceItem.objects.filter(kind=PriceItemKind.ADDON).order_by("position", "pk")
    return qs.filter(active=True) if active_only else qs


def addon_codes_with_capability() -> set[str]:
    """The add-ons something can deliver: those a registered participation kind declares
    (``addon_code`` in consultations' registry), or delivers as the provider's service
    (``service_addon_code``: the survey prepared by the operator). An add-on whose module
    does not exist yet must not be sold."""
    codes = {kind.addon_code for kind in kinds() if kind.addon_code}
    return codes | {kind.service_addon_code for kind in kinds() if kind.service_addon_code}


def price_list_addons_orderable() -> QuerySet[PriceItem]:
    """Add-ons a municipality may order now: available in the price list, and delivered by a
    registered participation kind."""
    return price_list_addons(active_only=True).filter(code__in=addon_codes_with_capability())


def base_item_for(duration_days: int) -> PriceItem | None:
    """The active duration band that holds a consultation of this many days."""
    return (
        price_list_base()
        .filter(active=True, min_days__lte=duration_days)
        .filter(Q(max_days__isnull=True) | Q(max_days__gte=duration_days))
        .first()
    )


def order_quote(*, duration_days: int, addon_codes: list[str]) -> Quote:
    """The itemised price of a consultation of this length with these add-ons, at today's
    prices. Unknown, withdrawn or not yet deliverable add-on codes are left out."""
    lines: list[QuoteLine] = []
    base = base_item_for(duration_days)
    if base is not None:
        lines.append(QuoteLine(base.code, base.name, base.net_amount, base.vat_rate_bp))
    for addon in price_list_addons_orderable().filter(code__in=addon_codes):
        lines.append(QuoteLine(addon.code, addon.name, addon.net_amount, addon.vat_rate_bp))
    return Quote(lines)


def billing_profile_get(*, municipality: Municipality) -> BillingProfile:
    """The municipality's invoice data; an unsaved empty profile when none was entered."""
    profile = BillingProfile.objects.filter(municipality=municipality).first()
    return profile or BillingProfile(municipality=municipality, invoice_name=municipality.name)


def orders_for_municipality(*, municipality: Municipality) -> QuerySet[Order]:
    return Order.objects.filter(municipality=municipality).prefetch_related("items")


def order_for_municipality(*, municipality: Municipality, order_id: int) -> Order | None:
    """An order of this municipality only: another's answers like a missing one."""
    return (
        Order.objects.filter(municipality=municipality, pk=order_id)
        .prefetch_related("items", "events")
        .first()
    )


def order_live_for_consultation(
    *, municipality: Municipality, consultation_id: int
) -> Order | None:
    return (
        Order.objects.filter(municipality=municipality, consultation_id=consultation_id)
        .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .first()
    )


def orders_for_provider(*, status: str = "", unpaid: bool = False) -> QuerySet[Order]:
    qs = Order.objects.select_related("municipality", "approved_by")
    if unpaid:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs


def order_for_provider(*, order_id: int) -> Order | None:
    return (
        Order.objects.select_related("municipality", "approved_by")
        .prefetch_related("items", "events", "stripe_events")
        .filter(pk=order_id)
        .first()
    )


def orders_open_with_intent() -> QuerySet[Order]:
    """Orders whose payment Stripe may have settled without our hearing of it."""
    return Order.objects.filter(
        status__in=OPEN_STATUSES, stripe_payment_intent_id__isnull=False
    ).select_related("municipality")


def payment_intents_to_settle() -> QuerySet[PaymentIntentRecord]:
    """Recorded PaymentIntents not yet settled that are not a live order's own: a second
    intent of an order, or the intent of a cancelled one."""
    live_own = Q(intent_id=F("order__stripe_payment_intent_id")) & ~Q(
        order__status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED]
    )
    return (
        PaymentIntentRecord.objects.filter(settled_at__isnull=True).exclude(live_own).order_by("pk")
    )


def revenue_by_month() -> list[dict[str, object]]:
    """Paid and approved orders per calendar month (by order date), newest first."""
    return list(
        Order.objects.filter(status__in=CLEARED_STATUSES)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(orders=Count("pk"), net=Sum("net_total"), gross=Sum("gross_total"))
        .order_by("-month")
    )


def revenue_by_municipality() -> list[dict[str, object]]:
    """Per municipality: cleared revenue and what is still unpaid."""
    return list(
        Order.objects.values("municipality__pk", "municipality__name")
        .annotate(
            orders=Count("pk", filter=Q(status__in=CLEARED_STATUSES)),
            net=Sum("net_total", filter=Q(status__in=CLEARED_STATUSES), default=0),
            gross=Sum("gross_total", filter=Q(status__in=CLEARED_STATUSES), default=0),
            unpaid_gross=Sum("gross_total", filter=Q(status__in=OPEN_STATUSES), default=0),
        )
        .order_by("municipality__name")
    )


def price_changes_recent(*, limit: int = 50) -> QuerySet[PriceChange]:
    return PriceChange.objects.select_related("price_item", "acting_user")[:limit]


def order_addon_codes_for_consultation(consultation: object) -> frozenset[str]:
    """The add-on codes of the live order of a consultation of the current schema: what
    consultations asks (through the hook registered in BillingConfig.ready()) before it
    offers a participation kind that needs an add-on."""
    consultation_id = getattr(consultation, "pk", None)
    if consultation_id is None:
        return frozenset()
    return frozenset(
        OrderItem.objects.filter(
            order__municipality__schema_name=connection.schema_name,
            order__consultation_id=consultation_id,
        )
        .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .values_list("code", flat=True)
    )
