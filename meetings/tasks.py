"""Background work of meetings; each task is idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def signup_confirmation_send(self: object, signup_id: int, token: str) -> bool:
    """Mail the confirmation link of a sign-up of the schema this task was queued in."""
    from meetings.services.mails import signup_mail_send

    return signup_mail_send(signup_id=signup_id, what="confirm", token=token)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_mail_send(self: object, signup_id: int, what: str) -> bool:
    """Mail a sign-up that its place is confirmed, it waits, it was promoted, or that the
    event changed or was cancelled."""
    from meetings.services.mails import signup_mail_send

    return signup_mail_send(signup_id=signup_id, what=what)


@shared_task
def reminders_send_all() -> dict[str, Any]:
    """Hourly: the reminder the day before, in each active municipality (exactly once per
    sign-up, by the unique constraint of SignupMail)."""
    from meetings.services import reminders_send
    from tenants.fanout import fan_out

    return fan_out(job_name="meeting reminders", job=reminders_send).as_dict()


@shared_task
def signups_purge_all() -> dict[str, Any]:
    """Hourly: delete sign-ups left unconfirmed for seven days, in each municipality."""
    from meetings.services import signups_purge
    from tenants.fanout import fan_out

    return fan_out(job_name="meeting sign-ups purge", job=signups_purge).as_dict()
