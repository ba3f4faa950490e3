"""Billing's periodic work: thin wrappers around services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from billing import services


@shared_task(ignore_result=True)
def orders_reconcile() -> int:
    """Pick up payments Stripe settled while our webhook endpoint did not hear of them."""
    return services.orders_reconcile()
