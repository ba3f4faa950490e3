"""Subscriptions in a resident's RODO rights (accounts.personal_data).

A subscription needs no account: a person's subscriptions are those linked to their account
or made with its e-mail address. A subscription is not a contribution to any consultation,
so deleting the account deletes it (with its notification log) instead of anonymising it:
nothing would be left to keep, and no further mail may reach the address.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from consultations.models import Area, Category
from subscriptions.models import Subscription


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _of(user: User) -> QuerySet[Subscription]:
    email = (user.email or "").strip().lower()
    query = Q(user=user)
    if email:
        query |= Q(email=email)
    return Subscription.objects.filter(query).order_by("pk")


def subscriptions_export(user: User) -> list[dict[str, Any]]:
    """The person's subscriptions: the address, what it follows (by name), the consent and
    confirmation times, and how many notifications were sent."""
    rows = []
    for subscription in _of(user):
        rows.append(
            {
                "email": subscription.email,
                "whole_municipality": subscription.whole_municipality,
                "areas": sorted(
                    Area.objects.filter(pk__in=subscription.area_ids).values_list("name", flat=True)
                ),
                "categories": sorted(
                    Category.objects.filter(pk__in=subscription.category_ids).values_list(
                        "name", flat=True
                    )
                ),
                "consented_at": _iso(subscription.consented_at),
                "confirmed_at": _iso(subscription.confirmed_at),
                "created_at": _iso(subscription.created_at),
                "notifications_sent": subscription.notifications.count(),
            }
        )
    return rows


def subscriptions_delete(user: User) -> None:
    """Delete the person's subscriptions and their notification log (called inside the
    transaction that deletes the account)."""
    _of(user).delete()
