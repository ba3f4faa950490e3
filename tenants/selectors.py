"""Reads about municipalities."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from tenants.models import Municipality, MunicipalityStatus


def municipalities_ready() -> QuerySet[Municipality]:
    """Municipalities whose schema is complete; periodic jobs dispatch over these only."""
    return Municipality.objects.exclude(schema_name="public").filter(
        status__in=[
            MunicipalityStatus.ACTIVE,
            MunicipalityStatus.SUSPENDED,
            MunicipalityStatus.ARCHIVED,
        ]
    )


def municipalities_active() -> QuerySet[Municipality]:
    """Ready municipalities whose site is open: the only ones periodic jobs run in (a
    suspended or archived site is frozen, a provisioning schema may be half there)."""
    return municipalities_ready().filter(status=MunicipalityStatus.ACTIVE)


def municipalities_for_provider(*, status: str = "", query: str = "") -> QuerySet[Municipality]:
    """The provider's list: every municipality with its primary domain, filtered."""
    qs = Municipality.objects.exclude(schema_name="public").prefetch_related("domains")
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.order_by("name")


def municipality_for_provider(*, municipality_id: int) -> Municipality | None:
    return (
        Municipality.objects.exclude(schema_name="public")
        .prefetch_related("domains", "events__acting_user")
        .filter(pk=municipality_id)
        .first()
    )


def municipality_current() -> Municipality:
    """The municipality whose schema the connection is in (a web request, a task, a
    schema_context): read from the public table, so it works wherever the schema was set."""
    return Municipality.objects.prefetch_related("domains").get(schema_name=connection.schema_name)
