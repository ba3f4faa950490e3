"""Which municipality a request is for, and whether its site may answer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from common.db import connection
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


# The tables are named with their schema, so the statement needs no `SET search_path` first
# (see municipality_by_host).
TENANT_BY_HOST_SQL = (
    f'SELECT m.* FROM "{get_public_schema_name()}"."{Municipality._meta.db_table}" m '
    f'JOIN "{get_public_schema_name()}"."{Domain._meta.db_table}" d ON d.tenant_id = m.id '
    "WHERE d.domain = %s"
)


def _by_host(hostname: str) -> Municipality | None:
    return next(iter(Municipality.objects.raw(TENANT_BY_HOST_SQL, [hostname])), None)


def municipality_by_host(hostname: str) -> Municipality | None:
    """The municipality served on ``hostname``, in one round trip to PostgreSQL where Django
    and django-tenants would make three on a kept connection (on a cached page that is
    nearly all of the request's work):

    - no `SET search_path = public` first: the statement names its tables' schema. The
      search path is left unknown afterwards, so the next statement sets the tenant's (or
      public's) as it would have anyway;
    - no health check (`SELECT 1`, CONN_HEALTH_CHECKS) of a kept connection first: this
      statement is the check. If the kept connection has gone bad (PostgreSQL restarted, the
      network dropped it), it is closed and the statement runs once more on a new one, which
      is what the health check would have done. A new connection needs no check."""
    kept = connection.connection is not None and not connection.in_atomic_block
    if kept:
        connection.health_check_done = True
    connection.search_path_set_schemas = [get_public_schema_name()]
    try:
        try:
            return _by_host(hostname)
        except (OperationalError, InterfaceError):
            if not kept:
                raise
            connection.close()
            return _by_host(hostname)
    finally:
        connection.search_path_set_schemas = None


class MunicipalityMiddleware(TenantMainMiddleware):
    """Routes by host: the apex domain to the provider's site, a municipality's host to it,
    anything else to a 404 page that shows no tenant's data."""

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Municipality:
        # A regional portal's host (tenants.hosts) is public too, whatever Domain rows say.
        if hostname == settings.PLATFORM_DOMAIN or host_is_public(hostname):
            return public_tenant()
        # The query django-tenants makes (the domain's municipality), written once instead of
        # compiled by the ORM on every request: on a cached page it is most of the work.
        found = municipality_by_host(hostname)
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
