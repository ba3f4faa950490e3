"""A municipality's subdomain: residents' pages and the staff panel."""

from django.urls import include, path

from accounts import views as account_views
from consultations import views, views_public
from consultations.views_theme import site_theme_css

urlpatterns = [
    path("", views.home, name="home"),
    path("panel/", views.panel_home, name="panel_home"),
    path("wyglad.css", site_theme_css, name="site_theme"),
    path("panel/ustawienia/", views.panel_settings, name="panel_settings"),
    path(
        "panel/ustawienia/uchwala-o-konsultacjach/",
        views.panel_council_resolution,
        name="panel_council_resolution",
    ),
    path("zaproszenie/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("panel/zespol/", include("accounts.urls_panel")),
    path(
        "panel/ustawienia/polityka-prywatnosci/",
        views.panel_privacy_notice,
        name="panel_privacy_notice",
    ),
    path(
        "panel/ustawienia/deklaracja-dostepnosci/",
        views.panel_accessibility_statement,
        name="panel_accessibility_statement",
    ),
    path("polityka-prywatnosci/", views_public.privacy_notice, name="privacy_notice"),
    path(
        "deklaracja-dostepnosci/",
        views_public.accessibility_statement,
        name="accessibility_statement",
    ),
    path("media/<str:schema>/<path:path>", views.media, name="media"),
    # Before consultations.urls: "konsultacje/rss/" and "konsultacje/atom/" look like slugs.
    path("", include("subscriptions.urls")),
    path("panel/zamowienia/", include("billing.urls_tenant")),
    # Before consultations.urls: "panel/konsultacje/<id>/<action>/" would take "uwagi".
    path("", include("remarks.urls")),
    # Before consultations.urls, whose panel/konsultacje/<id>/<action>/ matches "ankieta".
    path("", include("surveys.urls")),
    path("", include("meetings.urls")),
    path("", include("reports.urls")),
    path("", include("consultations.urls")),
]

# Every uncaught error, the database out of reach included (platform_site/errors.py).
handler500 = "platform_site.errors.server_error"
