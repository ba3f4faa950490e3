"""Background work of the portals; every task is idempotent and safe to run twice."""

from __future__ import annotations

from celery import shared_task

from portal.index import contributions_refresh
from portal.models import DigestSubscriber
from portal.selectors import token_hash
from portal.services import digest_confirmation_send_mail, digest_purge, digests_send


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def digest_confirmation_send(self: object, subscriber_id: int, token: str) -> None:
    """Mail the confirmation link of a digest subscription."""
    subscriber = (
        DigestSubscriber.objects.select_related("portal")
        .filter(pk=subscriber_id, confirmation_hash=token_hash(token))
        .first()
    )
    if subscriber is None:
        return  # confirmed, superseded by a newer link, or deleted meanwhile
    digest_confirmation_send_mail(subscriber=subscriber, token=token)


@shared_task
def digests_send_all() -> int:
    """Hourly: plan the digests of the current day and week and mail those not sent yet.
    Run twice (a retry, two beats) it mails nothing twice: a row per (subscriber, period)
    under a unique constraint, each locked while it is mailed. Returns mails sent."""
    return digests_send()


@shared_task
def digest_subscribers_purge() -> int:
    """Daily: forget addresses that never confirmed within seven days."""
    return digest_purge()


@shared_task
def index_contributions_refresh(consultation_id: int) -> None:
    """A few seconds after residents contributed: the index row's count of contributions
    (portal.index.contributions_refresh_soon). Runs in the consultation's schema."""
    contributions_refresh(consultation_id=consultation_id)
