"""Background work about municipalities; thin wrappers around tenants.services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.services import invitations_purge
from tenants.cloning import spares_replenish
from tenants.fanout import fan_out
from tenants.models import Municipality, MunicipalityStatus
from tenants.services import municipality_provision


@shared_task(bind=True, max_retries=3, default_retry_delay=10)
def municipality_provision_task(self: object, municipality_id: int) -> str:
    """Provision one municipality (idempotent: safe to run twice or after a crash)."""
    return municipality_provision(municipality_id=municipality_id).status


@shared_task
def provisioning_resume() -> int:
    """Re-queue provisioning that has waited more than two minutes (its task was lost)."""
    stale = Municipality.objects.filter(
        status=MunicipalityStatus.PROVISIONING,
        created_at__lt=timezone.now() - timedelta(minutes=2),
    ).values_list("pk", flat=True)
    for pk in stale:
        municipality_provision_task.delay(pk)
    return len(stale)


@shared_task
def spares_replenish_task() -> int:
    """Keep TENANT_SPARE_SCHEMAS spare schemas at the template's migration state."""
    return spares_replenish(source=settings.TENANT_BASE_SCHEMA, size=settings.TENANT_SPARE_SCHEMAS)


@shared_task
def invitations_purge_all() -> dict[str, Any]:
    """Hourly: purge old invitations in each active municipality. Returns the fan-out
    summary (invitations deleted a schema). Here, not in accounts: only tenants knows the
    municipalities, and accounts lies below it."""
    return fan_out(job_name="invitations purge", job=invitations_purge).as_dict()
