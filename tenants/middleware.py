"""Which municipality a request is for, and whether its site may answer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from tenants.hosts import host_is_public
from tenants.http import TenantRequest
from tenants.models import Domain, Municipality, MunicipalityStatus


def public_tenant() -> Municipality:
    """The apex domain's tenant: the public schema, never saved as a row."""
    return Municipality(
        schema_name=get_public_schema_name(),
        name=settings.PLATFORM_NAME,
        status=MunicipalityStatus.ACTIVE,
    )


TENANT_BY_HOST_SQL = (
    f"SELECT m.* FROM {Municipality._meta.db_table} m "
    f"JOIN {Domain._meta.db_table} d ON d.tenant_id = m.id WHERE d.domain = %s"
)


class MunicipalityMiddleware(TenantMainMiddleware):
    """Routes by host: the apex domain to the provider's site, a municipality's host to it,
    anything else to a 404 page that shows no tenant's data."""

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Municipality:
        # A regional portal's host (tenants.hosts) is public too, whatever Domain rows say.
        if hostname == settings.PLATFORM_DOMAIN or host_is_public(hostname):
            return public_tenant()
        # The query django-tenants makes (the domain's municipality), written once instead of
        # compiled by the ORM on every request: on a cached page it is most of the work.
        found = next(iter(Municipality.objects.raw(TENANT_BY_HOST_SQL, [hostname])), None)
        if found is None:
            raise domain_model.DoesNotExist
        return found

    def no_tenant_found(self, request: TenantRequest, hostname: str) -> HttpResponse:
        request.tenant = public_tenant()
        self.setup_url_routing(request, force_public=True)
        response = TemplateResponse(
            request, "errors/unknown_host.html", {"hostname": hostname}, status=404
        )
        return response.render()


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class MunicipalityStatusMiddleware:
    """A municipality not yet ready or suspended answers 503; an archived one is read-only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return self.get_response(request)
        if tenant.status in {MunicipalityStatus.PROVISIONING, MunicipalityStatus.FAILED}:
            return self._unavailable(request, "errors/provisioning.html")
        if tenant.status == MunicipalityStatus.SUSPENDED:
            return self._unavailable(request, "errors/suspended.html")
        if tenant.status == MunicipalityStatus.ARCHIVED and request.method not in SAFE_METHODS:
            return TemplateResponse(request, "errors/archived.html", status=403).render()
        return self.get_response(request)

    @staticmethod
    def _unavailable(request: HttpRequest, template: str) -> HttpResponse:
        response = TemplateResponse(request, template, status=503).render()
        response["Retry-After"] = "3600"
        return response
