"""Background work of surveys; each task is idempotent and safe to retry."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def survey_invitation_send(self: object, invitation_id: int, token: str) -> bool:
    """Mail an invited address its one-time link (in the schema the task was queued in)."""
    from surveys.services import survey_invitation_mail_send

    return survey_invitation_mail_send(invitation_id=invitation_id, token=token)


@shared_task
def survey_drafts_purge_all() -> dict[str, Any]:
    """Hourly: delete the drafts of surveys closed longer than the grace period, in each
    municipality."""
    from surveys.services import survey_drafts_purge
    from tenants.fanout import fan_out

    return fan_out(job_name="survey drafts purge", job=survey_drafts_purge).as_dict()
