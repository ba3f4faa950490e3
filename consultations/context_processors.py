"""What every page needs to know about the site it is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from consultations.selectors import site_settings_get


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    context: dict[str, Any] = {
        "platform_name": settings.PLATFORM_NAME,
        "municipality": None,
        # The apex site, from settings (never the request's Host): the status pages of an
        # unknown or closed site link the provider's legal texts there.
        "platform_url": f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}/",
    }
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return context
    context["municipality"] = tenant
    if tenant.is_ready:
        context["site_settings"] = site_settings_get()
    return context
