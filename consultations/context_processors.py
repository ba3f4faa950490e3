"""What every page needs to know about the site it is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from consultations.selectors import site_settings_get


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {"platform_name": settings.PLATFORM_NAME, "municipality": None}
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return context
    context["municipality"] = tenant
    if tenant.is_ready:
        context["site_settings"] = site_settings_get()
    return context
