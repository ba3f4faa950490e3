"""Billing's pages: the municipality's orders in its staff panel, the provider's price list,
orders and revenue on the apex domain, and Stripe's webhook endpoint. Views stay thin."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from billing import gateway, selectors, services
from billing.forms import BillingProfileForm, OrderForm, PriceItemForm
from billing.models import Order, OrderStatus, PaymentMethod, PriceItem
from billing.money import pln_plain
from billing.pdf import order_confirmation_pdf
from billing.permissions import (
    can_edit_invoice_data,
    can_order_consultation,
    can_order_consultations,
)
from tenants.http import MunicipalityRequest
from tenants.views import provider_required

logger = logging.getLogger("konsulta.billing")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- The municipality's staff panel -------------------------------------------------------


def _orders_visible(request: MunicipalityRequest) -> list[Order]:
    """The municipality's orders of the consultations this user may order (consultations'
    own predicate, asked once per consultation)."""
    orders = list(selectors.orders_for_municipality(municipality=request.tenant))
    consultations = selectors.consultations_by_id(
        schema_name=request.tenant.schema_name, ids={order.consultation_id for order in orders}
    )
    return [
        order
        for order in orders
        if can_order_consultation(request.user, consultations.get(order.consultation_id))
    ]


@permission_required(can_order_consultations)
def order_list(request: MunicipalityRequest) -> HttpResponse:
    return render(
        request,
        "billing/panel/order_list.html",
        {
            "orders": _orders_visible(request),
            "profile": selectors.billing_profile_get(municipality=request.tenant),
            "can_edit_invoice_data": can_edit_invoice_data(request.user),
        },
    )


@permission_required(can_order_consultations)
def order_new(request: MunicipalityRequest, consultation_id: int) -> HttpResponse:
    municipality = request.tenant
    consultation = selectors.consultation_get(
        schema_name=municipality.schema_name, consultation_id=consultation_id
    )
    # Another department's consultation answers like a missing one, as on its own page.
    if consultation is None or not can_order_consultation(request.user, consultation):
        raise Http404
    snapshot = selectors.consultation_snapshot_get(
        schema_name=municipality.schema_name, consultation_id=consultation_id
    )
    if snapshot is None:
        raise Http404
    existing = selectors.order_live_for_consultation(
        municipality=municipality, consultation_id=consultation_id
    )
    if existing is not None:
        messages.info(request, _("This consultation has already been ordered."))
        return redirect("billing:order_detail", order_id=existing.pk)
    addons = list(selectors.price_list_addons_orderable())
    # GET recalculates the price for the chosen add-ons; only POST places the order.
    data = request.POST if request.method == "POST" else request.GET
    offered = {item.code for item in addons}
    chosen = [code for code in data.getlist("addons") if code in offered]
    if request.method == "POST":
        form = OrderForm(data, addons=addons)
    else:
        method = data.get("payment_method", PaymentMethod.CARD)
        form = OrderForm(initial={"addons": chosen, "payment_method": method}, addons=addons)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(
                municipality=municipality,
                consultation_id=consultation_id,
                addon_codes=form.cleaned_data["addons"],
                payment_method=form.cleaned_data["payment_method"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The order has been placed."))
            return redirect("billing:order_detail", order_id=order.pk)
    days = snapshot.duration_days
    quote = selectors.order_quote(duration_days=days, addon_codes=chosen) if days else None
    return render(
        request,
        "billing/panel/order_new.html",
        {
            "consultation": snapshot,
            # A draft shows its price before it is ordered; it is ordered on its own page.
            "orderable": snapshot.status == "ordered",
            "form": form,
            "quote": quote,
            "profile": selectors.billing_profile_get(municipality=municipality),
            "can_edit_invoice_data": can_edit_invoice_data(request.user),
        },
    )


def _order_or_404(request: MunicipalityRequest, order_id: int) -> Order:
    """An order of this municipality whose consultation this user may order; any other
    answers like a missing one."""
    order = selectors.order_for_municipality(municipality=request.tenant, order_id=order_id)
    if order is None:
        raise Http404
    consultation = selectors.consultation_get(
        schema_name=request.tenant.schema_name, consultation_id=order.consultation_id
    )
    if not can_order_consultation(request.user, consultation):
        raise Http404
    return order


@permission_required(can_order_consultations)
def order_detail(request: MunicipalityRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    return render(
        request,
        "billing/panel/order_detail.html",
        {
            "order": order,
            "test_mode": settings.STRIPE_TEST_MODE,
            "provider": settings.BILLING_PROVIDER,
        },
    )


@permission_required(can_order_consultations)
@require_POST
def order_pay(request: MunicipalityRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    if not settings.STRIPE_TEST_MODE:
        # Production: Stripe.js confirms the PaymentIntent in the browser with its
        # client_secret; the webhook then records the payment.
        try:
            intent = services.order_payment_start(order_id=order.pk, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("billing:order_detail", order_id=order.pk)
        return render(
            request,
            "billing/panel/order_pay.html",
            {
                "order": order,
                "client_secret": intent.client_secret,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            },
        )
    try:
        order = services.order_pay_in_test_mode(order_id=order.pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if order.status == OrderStatus.PAID:
            messages.success(request, _("Thank you: the payment has been received."))
        else:
            messages.info(request, _("The payment is being processed."))
    return redirect("billing:order_detail", order_id=order.pk)


@permission_required(can_order_consultations)
@require_POST
def order_cancel(request: MunicipalityRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    try:
        order = services.order_cancel(order_id=order.pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if order.status == OrderStatus.REFUNDED:
            messages.success(request, _("The order has been cancelled and the payment refunded."))
        else:
            messages.success(request, _("The order has been cancelled."))
    return redirect("billing:order_detail", order_id=order.pk)


@permission_required(can_order_consultations)
def order_pdf(request: MunicipalityRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(request, order_id)
    response = HttpResponse(order_confirmation_pdf(order), content_type="application/pdf")
    filename = order.number.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="potwierdzenie-{filename}.pdf"'
    return response


@permission_required(can_edit_invoice_data)
def invoice_data(request: MunicipalityRequest) -> HttpResponse:
    profile = selectors.billing_profile_get(municipality=request.tenant)
    initial = {
        "invoice_name": profile.invoice_name or request.tenant.name,
        "street": profile.street,
        "postal_code": profile.postal_code,
        "city": profile.city,
        "invoice_email": profile.invoice_email,
    }
    form = BillingProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_profile_update(municipality=request.tenant, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The invoice data have been saved."))
            target = request.GET.get("next", "")
            return redirect(target if _safe_next(target) else "billing:order_list")
    return render(
        request, "billing/panel/invoice_data.html", {"form": form, "municipality": request.tenant}
    )


def _safe_next(target: str) -> bool:
    """Only back to a page of this panel: never an open redirect."""
    return target.startswith("/panel/") and "//" not in target


# --- The provider's panel -----------------------------------------------------------------


@provider_required
def price_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "billing/provider/price_list.html",
        {
            "base_items": selectors.price_list_base(),
            "addons": selectors.price_list_addons(),
            "deliverable": selectors.addon_codes_with_capability(),
            "changes": selectors.price_changes_recent(),
        },
    )


@provider_required
def price_item_edit(request: MunicipalityRequest, price_item_id: int) -> HttpResponse:
    item = PriceItem.objects.filter(pk=price_item_id).first()
    if item is None:
        raise Http404
    form = PriceItemForm(
        request.POST or None,
        initial={"net_amount": pln_plain(item.net_amount), "active": item.active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.price_item_update(
                price_item_id=item.pk,
                net_amount=form.cleaned_data["net_amount"],
                active=form.cleaned_data["active"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The price has been saved."))
            return redirect("billing_provider:price_list")
    return render(request, "billing/provider/price_item_form.html", {"item": item, "form": form})


@provider_required
def provider_order_list(request: HttpRequest) -> HttpResponse:
    unpaid = request.GET.get("filtr") == "nieoplacone"
    return render(
        request,
        "billing/provider/order_list.html",
        {"orders": selectors.orders_for_provider(unpaid=unpaid), "unpaid": unpaid},
    )


@provider_required
def provider_order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for_provider(order_id=order_id)
    if order is None:
        raise Http404
    return render(request, "billing/provider/order_detail.html", {"order": order})


@provider_required
@require_POST
def provider_order_approve(request: MunicipalityRequest, order_id: int) -> HttpResponse:
    if selectors.order_for_provider(order_id=order_id) is None:
        raise Http404
    try:
        services.order_approve_transfer(order_id=order_id, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Payment by transfer has been approved."))
    return redirect("billing_provider:order_detail", order_id=order_id)


@provider_required
@require_POST
def provider_order_sync(request: HttpRequest, order_id: int) -> HttpResponse:
    if selectors.order_for_provider(order_id=order_id) is None:
        raise Http404
    try:
        services.order_sync(order_id=order_id)
    except gateway.GatewayError:
        messages.error(request, _("The payment operator cannot be reached at the moment."))
    else:
        messages.success(request, _("The payment state has been checked with Stripe."))
    return redirect("billing_provider:order_detail", order_id=order_id)


@provider_required
def revenue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "billing/provider/revenue.html",
        {
            "by_month": selectors.revenue_by_month(),
            "by_municipality": selectors.revenue_by_municipality(),
            "unpaid": selectors.orders_for_provider(unpaid=True),
        },
    )


# --- Stripe -------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, process; 200 for events we ignore or have already seen."""
    try:
        event = gateway.webhook_event_construct(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except gateway.SignatureError:
        return HttpResponse(status=400)
    try:
        services.stripe_event_handle(event=event)
    except gateway.GatewayError as exc:
        # Nothing was stored: Stripe delivers the event again later.
        logger.warning("Stripe webhook %s postponed: %s", event.id, exc)
        return HttpResponse(status=503)
    return HttpResponse(status=200)
