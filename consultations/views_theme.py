"""The municipality's colour as a stylesheet of its own: pages carry no inline style, so the
Content-Security-Policy needs no 'unsafe-inline' (see CONTENT_SECURITY_POLICY in settings)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from consultations.selectors import site_settings_get

# Pages link the sheet with ?v=<last change>, so a browser may keep a matching one for long.
VERSIONED_MAX_AGE = 60 * 60 * 24 * 365
UNVERSIONED_MAX_AGE = 300


def theme_version(updated_at: object) -> str:
    """The ``v`` parameter pages put on the sheet's address: changes with the settings."""
    timestamp = getattr(updated_at, "timestamp", None)
    return str(int(timestamp())) if timestamp else "0"


@require_GET
def site_theme_css(request: HttpRequest) -> HttpResponse:
    site_settings = site_settings_get()
    # primary_colour is validated as #rrggbb (HEX_COLOUR) before it is stored.
    body = f":root {{ --brand: {site_settings.primary_colour}; }}\n"
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    current = request.GET.get("v") == theme_version(site_settings.updated_at)
    max_age = VERSIONED_MAX_AGE if current else UNVERSIONED_MAX_AGE
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response
