"""A resident's own account pages, beside django-allauth's under /konto/."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("profil/", views.profile, name="account_profile"),
    path("moje-dane/", views.personal_data, name="account_personal_data"),
    path("moje-dane/pobierz/", views.personal_data_download, name="account_personal_data_download"),
    path("usun/", views.account_delete, name="account_delete"),
]
