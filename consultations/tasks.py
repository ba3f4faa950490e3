"""Background work of consultations; each task is idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from consultations.services import consultations_advance
from tenants.fanout import fan_out


@shared_task
def consultations_advance_all() -> dict[str, Any]:
    """Every minute: open due and close ended consultations in each active municipality,
    inside its own schema. Returns the fan-out summary; each schema's result is
    [opened, closed]."""

    def advance() -> list[int]:
        return list(consultations_advance())

    return fan_out(job_name="consultations advance", job=advance).as_dict()
