"""Typed requests for views of a municipality's site."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import AuthenticatedRequest
from tenants.models import Municipality


class TenantRequest(HttpRequest):
    """A request after ``MunicipalityMiddleware`` (django-tenants), which sets ``tenant``: the
    municipality of the host, or the public tenant on the apex. For annotations only."""

    tenant: Municipality


class MunicipalityRequest(AuthenticatedRequest, TenantRequest):
    """A signed-in request on a municipality's host. For annotations only."""
