"""Background work of reports; each task is idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(bind=True, acks_late=True)
def report_version_render(self: object, version_id: int) -> int:
    """Render every format of a report version (its data built first for a preview)."""
    from reports.services import report_version_render as render

    return render(version_id=version_id).progress


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def report_mails_send(self: object, version_id: int) -> int:
    """Plan and send the "report published" mails of a version (once per address)."""
    from reports.services import report_mails_deliver, report_mails_plan

    report_mails_plan(version_id=version_id)
    sent = 0
    while True:
        batch = report_mails_deliver(version_id=version_id)
        sent += batch
        if batch == 0:
            return sent


@shared_task
def report_reminders_send_all() -> dict[str, Any]:
    """Hourly: the 7-day and 1-day deadline reminders, in each active municipality (each
    exactly once by ReportReminder's unique constraint)."""
    from reports.services import report_reminders_send
    from tenants.fanout import fan_out

    return fan_out(job_name="report reminders", job=report_reminders_send).as_dict()
