"""Residents' subscription pages: subscribe, confirm (POST only), unsubscribe (POST only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import selectors, services
from subscriptions.forms import SubscriptionForm

PRIVACY_NOTICE_PATH = "/polityka-prywatnosci/"


def _privacy_notice_url() -> str:
    """The municipality's privacy notice, once a page serves it (another app's issue)."""
    try:
        resolve(PRIVACY_NOTICE_PATH)
    except Resolver404:
        return ""
    return PRIVACY_NOTICE_PATH


def subscription_request(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.subscription_request(
                email=data["email"],
                whole_municipality=data["whole_municipality"],
                area_ids=[area.pk for area in data["areas"]],
                category_ids=[category.pk for category in data["categories"]],
                consent=data["consent"],
                user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            # Post/redirect/get; the next page says the same whether the address was known.
            return redirect(
                "subscription_active" if result.confirmed_now else "subscription_requested"
            )
    return render(
        request,
        "subscriptions/subscribe.html",
        {"form": form, "privacy_notice_url": _privacy_notice_url()},
    )


def subscription_requested(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/requested.html")


def subscription_active(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/confirmed.html")


@require_http_methods(["GET", "POST"])
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will be followed and a button; only the POST confirms."""
    if request.method == "POST":
        try:
            services.subscription_confirm(token=token)
        except ValidationError:
            return render(request, "subscriptions/link_invalid.html", status=410)
        return render(request, "subscriptions/confirmed.html")
    subscription = selectors.subscription_get_for_confirmation(token=token)
    if subscription is None:
        return render(request, "subscriptions/link_invalid.html", status=410)
    choice = selectors.choice_labels(
        whole_municipality=subscription.pending_whole_municipality,
        area_ids=subscription.pending_area_ids,
        category_ids=subscription.pending_category_ids,
    )
    return render(
        request,
        "subscriptions/confirm.html",
        {"email": subscription.email, "choice": choice},
    )


# The token is the authentication (signed per subscription and per municipality), not a
# session: RFC 8058 one-click unsubscribe POSTs come from mail providers without a cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (that button, or a mail client's one-click) unsubscribes."""
    if request.method == "POST":
        if not services.subscription_unsubscribe(token=token):
            return render(request, "subscriptions/unsubscribe_invalid.html", status=404)
        return render(request, "subscriptions/unsubscribed.html")
    subscription = selectors.subscription_get_by_unsubscribe_token(token=token)
    if subscription is None:
        if selectors.unsubscribe_token_read(token) is not None:
            return render(request, "subscriptions/unsubscribed.html")
        return render(request, "subscriptions/unsubscribe_invalid.html", status=404)
    return render(request, "subscriptions/unsubscribe.html", {"email": subscription.email})
