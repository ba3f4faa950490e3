from django.urls import path

from portal import views_provider

app_name = "portal_provider"

urlpatterns = [
    path("", views_provider.portal_list, name="portal_list"),
    path("nowy/", views_provider.portal_edit, name="portal_create"),
    path("<int:portal_id>/", views_provider.portal_edit, name="portal_edit"),
]
