"""Background work of consultations; each task is idempotent and safe to run twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from consultations.services import accessibility_review_remind, consultations_advance
from tenants.fanout import fan_out


@shared_task
def consultations_advance_all() -> dict[str, Any]:
    """Every minute: open due and close ended consultations in each active municipality,
    inside its own schema. Returns the fan-out summary; each schema's result is
    [opened, closed]."""

    def advance() -> list[int]:
        return list(consultations_advance())

    return fan_out(job_name="consultations advance", job=advance).as_dict()


@shared_task
def accessibility_review_remind_all(today: str | None = None) -> dict[str, Any]:
    """Every few hours: from 1 March, each active municipality's admins get the yearly
    reminder to review the accessibility statement by 31 March (art. 10 of the digital
    accessibility act), exactly once a year (the unique year of AccessibilityReviewReminder).
    ``today`` (ISO date) stands in for the local date, for tests and a manual re-run."""
    day = date.fromisoformat(today) if today else None

    def remind() -> int:
        return accessibility_review_remind(today=day)

    return fan_out(job_name="accessibility review reminder", job=remind).as_dict()
