"""The municipality's orders, under /panel/zamowienia/ of its subdomain."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("nowe/<int:consultation_id>/", views.order_new, name="order_new"),
    path("dane-do-faktury/", views.invoice_data, name="invoice_data"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/zaplac/", views.order_pay, name="order_pay"),
    path("<int:order_id>/anuluj/", views.order_cancel, name="order_cancel"),
    path("<int:order_id>/potwierdzenie.pdf", views.order_pdf, name="order_pdf"),
]
