"""The apex domain and the regional portals' hosts: the portals, the provider's site and panel."""

from django.urls import include, path

from tenants import views

provider_patterns = (
    [
        path("", views.municipality_list, name="municipality_list"),
        path("gminy/nowa/", views.municipality_create, name="municipality_create"),
        path("gminy/<int:municipality_id>/", views.municipality_detail, name="municipality_detail"),
        path(
            "gminy/<int:municipality_id>/edycja/",
            views.municipality_edit,
            name="municipality_edit",
        ),
        path(
            "gminy/<int:municipality_id>/zaproszenie/",
            views.municipality_invitation_resend,
            name="municipality_invitation_resend",
        ),
        path(
            "gminy/<int:municipality_id>/status/",
            views.municipality_status,
            name="municipality_status",
        ),
    ],
    "provider",
)

urlpatterns = [
    # The national portal (every municipality); on a portal's host, that portal.
    path("", include("portal.urls")),
    path("o-platformie/", views.landing, name="landing"),
    path("operator/portale/", include("portal.urls_provider")),
    # The survey builder for a municipality that ordered "survey prepared by the operator".
    path("operator/", include("surveys.urls_provider")),
    path("operator/", include(provider_patterns)),
    path("polityka-prywatnosci/", views.provider_privacy_notice, name="privacy_notice"),
    path(
        "deklaracja-dostepnosci/",
        views.provider_accessibility_statement,
        name="accessibility_statement",
    ),
    path("konto/", include("allauth.urls")),
    path("", include("billing.urls_public")),
    path("", include("rulesets.urls_public")),
]

# Every uncaught error, the database out of reach included (platform_site/errors.py).
handler500 = "platform_site.errors.server_error"
