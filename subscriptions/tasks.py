"""Background work of subscriptions; each task is idempotent and safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("konsulta")


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def subscription_confirmation_send(self: object, subscription_id: int, token: str) -> None:
    """Mail the confirmation link of a subscription of the schema this task was queued in."""
    from subscriptions.models import Subscription
    from subscriptions.selectors import token_hash
    from subscriptions.services import subscription_confirmation_send_mail

    subscription = Subscription.objects.filter(
        pk=subscription_id, confirmation_hash=token_hash(token)
    ).first()
    if subscription is None:
        return  # confirmed, superseded by a newer link, or deleted meanwhile
    subscription_confirmation_send_mail(subscription=subscription, token=token)


def _each_active_municipality(job_name: str, job: object) -> dict[str, int]:
    from django_tenants.utils import schema_context

    from tenants.models import MunicipalityStatus
    from tenants.selectors import municipalities_ready

    done: dict[str, int] = {}
    # Suspended and archived sites are frozen: they mail nobody.
    for municipality in municipalities_ready().filter(status=MunicipalityStatus.ACTIVE):
        try:
            with schema_context(municipality.schema_name):
                count = job()  # type: ignore[operator]
        except Exception:
            # One broken schema must not stop the others; the next run retries it.
            logger.exception("%s failed in %s", job_name, municipality.schema_name)
            continue
        if count:
            done[municipality.schema_name] = count
    return done


@shared_task
def notifications_send_all() -> dict[str, int]:
    """Every few minutes: mail subscribers about consultations announced or opened since the
    last run, in each active municipality. Returns {schema: mails sent}."""
    from subscriptions.services import notifications_send

    return _each_active_municipality("notifications", notifications_send)


@shared_task
def subscriptions_purge_all() -> dict[str, int]:
    """Hourly: delete subscriptions left unconfirmed for seven days, in each municipality."""
    from subscriptions.services import subscriptions_purge

    return _each_active_municipality("subscriptions purge", subscriptions_purge)
