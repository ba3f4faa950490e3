"""Background work of consultations; each task is idempotent and safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("konsulta")


@shared_task
def consultations_advance_all() -> dict[str, list[int]]:
    """Every minute: open due and close ended consultations in each active municipality,
    inside its own schema. Returns {schema: [opened, closed]} for the logs and tests."""
    from django_tenants.utils import schema_context

    from consultations.services import consultations_advance
    from tenants.models import MunicipalityStatus
    from tenants.selectors import municipalities_ready

    done: dict[str, list[int]] = {}
    # Suspended and archived sites are frozen: their consultations do not move.
    for municipality in municipalities_ready().filter(status=MunicipalityStatus.ACTIVE):
        try:
            with schema_context(municipality.schema_name):
                opened, closed = consultations_advance()
        except Exception:
            # One broken schema must not stop the others; the next run retries it.
            logger.exception("advancing consultations failed in %s", municipality.schema_name)
            continue
        if opened or closed:
            done[municipality.schema_name] = [opened, closed]
    return done
