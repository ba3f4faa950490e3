"""Reads about municipalities."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import QuerySet
from django_tenants.utils import schema_context

from accounts.models import Invitation, StaffRole, User
from accounts.selectors import staff_members
from accounts.sites import Site
from common.collation import polish_order
from common.db import connection
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
    return qs.order_by(polish_order("name"))


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


def site_current() -> Site:
    """The current municipality as accounts sees it (registered in TenantsConfig.ready)."""
    municipality = municipality_current()
    return Site(
        name=municipality.name,
        base_url=municipality.site_url.rstrip("/"),
        open_for_signup=municipality.status == MunicipalityStatus.ACTIVE,
        kind=municipality.kind,
    )


@contextmanager
def schema_read_only(schema_name: str) -> Iterator[None]:
    """Read one municipality's own tables from the provider's side: the connection enters its
    schema (search_path, never a query naming two schemas) in a read-only transaction that is
    rolled back on the way out, so nothing done inside can write.

    Evaluate querysets inside the block: outside it they would run in the public schema."""
    with schema_context(schema_name), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            # Rolling back the block also ends its READ ONLY, even inside an outer transaction.
            transaction.set_rollback(True)


def staff_for_provider(*, municipality: Municipality) -> list[dict[str, object]]:
    """The municipality's staff (e-mail, role, whether active), read inside its schema."""
    if not municipality.is_ready:
        return []
    with schema_read_only(municipality.schema_name):
        return [
            {
                "email": member.email,
                "name": member.get_full_name(),
                "role": member.get_role_display(),
                "last_login": member.last_login,
            }
            for member in staff_members()
        ]


def first_admin_invitation_state(*, municipality: Municipality) -> str:
    """ "joined" when the first administrator has an account with the admin role, "pending"
    while an invitation waits, "none" otherwise (or before the schema exists)."""
    email = municipality.first_admin_email
    if not municipality.is_ready or not email:
        return "none"
    with schema_read_only(municipality.schema_name):
        if User.objects.filter(email__iexact=email, role=StaffRole.ADMIN).exists():
            return "joined"
        if Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).exists():
            return "pending"
    return "none"
