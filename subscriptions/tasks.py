"""Background work of subscriptions; each task is idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from subscriptions.models import Subscription
from subscriptions.selectors import token_hash
from subscriptions.services import (
    notifications_send,
    subscription_confirmation_send_mail,
    subscriptions_purge,
)
from tenants.fanout import fan_out


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def subscription_confirmation_send(self: object, subscription_id: int, token: str) -> None:
    """Mail the confirmation link of a subscription of the schema this task was queued in."""
    subscription = Subscription.objects.filter(
        pk=subscription_id, confirmation_hash=token_hash(token)
    ).first()
    if subscription is None:
        return  # confirmed, superseded by a newer link, or deleted meanwhile
    subscription_confirmation_send_mail(subscription=subscription, token=token)


@shared_task
def notifications_send_all() -> dict[str, Any]:
    """Every few minutes: mail subscribers about consultations announced or opened since the
    last run, in each active municipality. Returns the fan-out summary (mails sent a schema)."""
    return fan_out(job_name="notifications send", job=notifications_send).as_dict()


@shared_task
def subscriptions_purge_all() -> dict[str, Any]:
    """Hourly: delete subscriptions left unconfirmed for seven days, in each active
    municipality. Returns the fan-out summary (subscriptions deleted a schema)."""
    return fan_out(job_name="subscriptions purge", job=subscriptions_purge).as_dict()
