"""A municipality's subdomain: residents' pages and the staff panel."""

from django.urls import include, path

from accounts import views as account_views
from consultations import views

urlpatterns = [
    path("", views.home, name="home"),
    path("panel/", views.panel_home, name="panel_home"),
    path("panel/ustawienia/", views.panel_settings, name="panel_settings"),
    path("zaproszenie/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("konto/", include("allauth.urls")),
    path("media/<str:schema>/<path:path>", views.media, name="media"),
    path("panel/zamowienia/", include("billing.urls_tenant")),
]
