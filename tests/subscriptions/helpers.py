"""Helpers for subscription tests in the current schema."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from consultations.models import Area, Category, Consultation, ConsultationStatus
from subscriptions.models import Subscription
from subscriptions.services import subscription_confirm, subscription_request
from tests.conftest import unique
from tests.consultations.factories import consultation_in_state


def area_make(name: str | None = None) -> Area:
    return Area.objects.create(name=name or unique("Osiedle "))


def category_make(name: str | None = None) -> Category:
    return Category.objects.create(name=name or unique("Kategoria "))


def email_make(prefix: str = "mieszkaniec") -> str:
    return unique(prefix) + "@poczta.test"


def confirmed_subscription(
    *,
    email: str | None = None,
    whole_municipality: bool = False,
    areas: tuple[Area, ...] = (),
    categories: tuple[Category, ...] = (),
) -> Subscription:
    """A subscription through the real double opt-in, the token taken from the service."""
    result = subscription_request(
        email=email or email_make(),
        whole_municipality=whole_municipality,
        area_ids=[a.pk for a in areas],
        category_ids=[c.pk for c in categories],
        consent=True,
    )
    token = pending_token(result.subscription)
    return subscription_confirm(token=token)


def pending_token(subscription: Subscription) -> str:
    """Tests cannot read the mailed token back from its hash: give the row a known one."""
    from subscriptions.selectors import token_hash

    token = unique("token-")
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_hash=token_hash(token))
    return token


def opened_consultation(
    *, areas: tuple[Area, ...] = (), categories: tuple[Category, ...] = (), **fields: Any
) -> Consultation:
    fields.setdefault("opened_at", timezone.now())
    consultation = consultation_in_state(ConsultationStatus.OPEN, **fields)
    consultation.areas.set(areas)
    consultation.categories.set(categories)
    return consultation


def announced_consultation(
    *, areas: tuple[Area, ...] = (), categories: tuple[Category, ...] = (), **fields: Any
) -> Consultation:
    fields.setdefault("scheduled_at", timezone.now())
    consultation = consultation_in_state(ConsultationStatus.SCHEDULED, **fields)
    consultation.areas.set(areas)
    consultation.categories.set(categories)
    return consultation
