"""Payment clearance of a consultation, recorded by billing in the municipality's schema."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from consultations.models import (
    Consultation,
    ConsultationStatus,
)
from consultations.public_changes import public_change
from consultations.services.audit import audit_record


def consultation_is_cleared(consultation: Consultation) -> bool:
    """The one place that decides whether a consultation may leave draft: its order is paid
    or provider staff approved it for payment by transfer (recorded by billing)."""
    return consultation.payment_cleared_at is not None


@transaction.atomic
def consultation_payment_clear(
    *,
    consultation_id: int,
    reference: str,
    acting_user: Any = None,
    paid_days: tuple[int | None, int | None] | None = None,
) -> Consultation:
    """Record that the consultation's order is paid or approved (called by billing, inside
    the municipality's schema; ``acting_user`` is the provider staff member who approved a
    transfer, None for a payment; ``paid_days`` the (min, max) days of the duration band paid
    for, max None for an open band). Idempotent: a second call keeps the first time."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.payment_cleared_at is None:
        consultation.payment_cleared_at = timezone.now()
        consultation.payment_reference = reference[:100]
        fields = ["payment_cleared_at", "payment_reference", "updated_at"]
        if paid_days is not None:
            # The duration band paid for: a late payment may move the dates within it.
            consultation.paid_min_days, consultation.paid_max_days = paid_days
            fields += ["paid_min_days", "paid_max_days"]
        consultation.save(update_fields=fields)
        audit_record(
            acting_user=acting_user,
            action="consultation_payment_clear",
            target=consultation,
            details={"reference": consultation.payment_reference},
        )
    return consultation


@transaction.atomic
def consultation_payment_revoke(*, consultation_id: int, acting_user: Any = None) -> Consultation:
    """The order was cancelled (and refunded) before opening: the consultation goes back to
    draft, unpaid, so it cannot open and its dates may be changed before ordering again."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    consultation.payment_cleared_at = None
    # A new order brings its own band, its own move and its own confirmation of channels.
    consultation.paid_min_days = consultation.paid_max_days = None
    consultation.dates_moved_at = None
    consultation.channels_confirmed_at = None
    fields = [
        "payment_cleared_at",
        "paid_min_days",
        "paid_max_days",
        "dates_moved_at",
        "channels_confirmed_at",
        "updated_at",
    ]
    if consultation.status in {ConsultationStatus.ORDERED, ConsultationStatus.SCHEDULED}:
        consultation.status = ConsultationStatus.DRAFT
        consultation.ordered_at = None
        consultation.scheduled_at = None
        fields += ["status", "ordered_at", "scheduled_at"]
    consultation.save(update_fields=fields)
    audit_record(
        acting_user=acting_user,
        action="consultation_payment_revoke",
        target=consultation,
        details={"status": consultation.status},
    )
    # A scheduled consultation back in draft is no longer public.
    public_change("lifecycle", consultation.pk)
    return consultation
