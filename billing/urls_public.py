"""The provider's billing pages under /operator/ and Stripe's webhook, on the apex domain."""

from django.urls import path

from billing import views

app_name = "billing_provider"

urlpatterns = [
    path("operator/cennik/", views.price_list, name="price_list"),
    path("operator/cennik/<int:price_item_id>/", views.price_item_edit, name="price_item_edit"),
    path("operator/zamowienia/", views.provider_order_list, name="order_list"),
    path("operator/zamowienia/<int:order_id>/", views.provider_order_detail, name="order_detail"),
    path(
        "operator/zamowienia/<int:order_id>/zatwierdz/",
        views.provider_order_approve,
        name="order_approve",
    ),
    path(
        "operator/zamowienia/<int:order_id>/sprawdz/",
        views.provider_order_sync,
        name="order_sync",
    ),
    path("operator/przychody/", views.revenue, name="revenue"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
